import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { restoreEnv, TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { handler as report } from '#functions/report/handler.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { handler as events } from '#functions/events/handler.ts';
import { createApiKey, putShop } from '#lib/store/shops.ts';
import { resetConfig } from '#lib/config.ts';

/** Loads a handler module afresh with the present environment; the error its init throws, if any. */
async function initError(load: () => Promise<unknown>): Promise<Error | undefined> {
  resetConfig();
  vi.resetModules();
  return load().then(
    () => undefined,
    (e: Error) => e,
  );
}

/**
 * Configuration fails at start, naming each bad variable and its rule
 * (SPEC §4.2); edge input that used to answer 500 answers 400 in our shape.
 */

describe('configuration is checked when a process starts', () => {
  const saved = { ...process.env };
  afterEach(() => {
    restoreEnv(saved);
    vi.resetModules();
  });

  it('npm start with a short admin token and a bad number stops at once, naming each variable and rule', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env: { ...process.env, ADMIN_TOKEN: 'short', RAW_EVENT_TTL_DAYS: 'forever', PORT: '0', DYNAMODB_ENDPOINT: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('chatpulse did not start. Invalid configuration:');
    expect(res.stderr).toContain('ADMIN_TOKEN: must be at least 16 characters');
    expect(res.stderr).toContain('RAW_EVENT_TTL_DAYS: must be a whole number of days');
    expect(res.stderr).toContain('DYNAMODB_ENDPOINT: must be a URL');
    // the rule, never the value
    expect(res.stderr).not.toContain('short');
    expect(res.stdout).not.toContain('chatpulse is running');
  });

  it('a Lambda fails its init (not each request) when a setting it needs is missing or unsafe', async () => {
    delete process.env.META_APP_SECRET;
    process.env.ZALO_OA_SECRET_KEY = 'abc';
    const failure = await initError(() => import('#functions/webhook/handler.ts'));
    expect(failure?.name).toBe('ConfigError');
    expect(failure?.message).toContain('ZALO_OA_SECRET_KEY: must be at least 8 characters');
    expect(failure?.message).toContain('META_APP_SECRET: required');
    // a function that does not need the missing secret starts (a set but unsafe one stops every function)
    process.env.ZALO_OA_SECRET_KEY = TEST_SECRETS.ZALO_OA_SECRET_KEY;
    vi.resetModules();
    await expect(import('#functions/ingest/handler.ts')).resolves.toHaveProperty('handler');
  });

  it('digest-send starts without any signing key; digest-dispatch, which signs the links, does not', async () => {
    delete process.env.UNSUBSCRIBE_SIGNING_KEY;
    delete process.env.REPORT_LINK_KEY;
    expect(await initError(() => import('#functions/digest-send/handler.ts'))).toBeUndefined();
    const failure = await initError(() => import('#functions/digest-dispatch/handler.ts'));
    expect(failure?.name).toBe('ConfigError');
    expect(failure?.message).toBe('Invalid configuration:\n  UNSUBSCRIBE_SIGNING_KEY: required');
  });

  it('a function that reads no secret refuses to start when given some (the stack and the handler disagree)', async () => {
    process.env.SECRET_ARNS = 'chatpulse/test/unsubscribe';
    const failure = await initError(() => import('#functions/digest-send/handler.ts'));
    expect(failure?.name).toBe('ConfigError');
    expect(failure?.message).toBe('Invalid configuration:\n  SECRET_ARNS: digest-send reads no secret, but was given some');
  });

  it('a mistyped tracing switch stops the start instead of silently tracing nothing', async () => {
    process.env.POWERTOOLS_TRACE_ENABLED = 'True';
    const failure = await initError(() => import('#functions/ingest/handler.ts'));
    delete process.env.POWERTOOLS_TRACE_ENABLED;
    expect(failure?.name).toBe('ConfigError');
    expect(failure?.message).toContain('POWERTOOLS_TRACE_ENABLED: must be true or false');
    expect(failure?.message).not.toContain('True');
  });
});

describe('edge input answers 400, never 500', () => {
  let key: string;
  beforeAll(async () => {
    await createTestTable();
    await putShop(makeShop('edge', { pages: [{ pageId: 'edge-fb', channel: 'facebook', name: 'Fanpage' }] }));
    key = await createApiKey('edge');
  });
  const get = (path: string, query: string) => call(report, httpEvent({ method: 'GET', path, query, headers: { authorization: `Bearer ${key}` } }));

  it.each([
    ['from=9999-12-31&to=9999-12-31', 'from'],
    ['from=0050-01-01&to=0050-01-31', 'from'],
    ['from=0000-01-01&to=2026-01-01', 'from'],
    ['from=2026-01-01&to=9999-01-01', 'to'],
    ['from=1999-12-31&to=2000-01-05', 'from'],
  ])('report dates out of 2000–2099 (%s) are a 400 naming the field', async (query, field) => {
    const res = await get('/v1/shops/edge/reports/overview', query);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details).toContainEqual({ path: field, message: 'expected a date YYYY-MM-DD from 2000-01-01 to 2099-12-31' });
  });

  it('the last supported day still reports', async () => {
    expect((await get('/v1/shops/edge/reports/overview', 'from=2099-12-01&to=2099-12-31')).status).toBe(200);
  });

  it.each([['/v1/shops/%E0%A4%A/reports/overview'], ['/v1/shops/edge/reports/%ZZ'], ['/v1/shops/%/reports/overview']])(
    'a malformed percent-escape in the path (%s) is a 400',
    async (path) => {
      const res = await get(path, 'from=2026-11-01&to=2026-11-02');
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: 'invalid_request', message: 'Malformed percent-escape in the request path', details: [{ path: 'path', message: 'not valid percent-encoded UTF-8' }] });
    },
  );

  it('a malformed percent-escape in an admin path is a 400 too', async () => {
    const res = await call(admin, httpEvent({ method: 'PUT', path: '/v1/admin/shops/%E0%A4%A', headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` }, body: { name: 'x' } }));
    expect(res.status).toBe(400);
  });

  it.each([['0001-01-01T00:00:00Z'], ['1969-12-31T23:59:59Z'], ['2100-01-01T00:00:00Z']])('an event instant out of range (%s) is a 400 on at', async (at) => {
    const res = await call(events, httpEvent({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${key}` }, body: { events: [{ id: 'e1', kind: 'message.received', at, pageId: 'edge-fb', customerId: 'c' }] } }));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toContainEqual({ index: 0, path: 'at', message: 'expected an instant from 2000 to 2099' });
  });

  it('rebuild and digest dates out of range are 400s', async () => {
    const auth = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
    const rebuild = await call(admin, httpEvent({ method: 'POST', path: '/v1/admin/rebuild', headers: auth, body: { shopId: 'edge', from: '0099-01-01', to: '0099-01-02' } }));
    expect(rebuild.status).toBe(400);
    const digest = await call(admin, httpEvent({ method: 'POST', path: '/v1/admin/digests/run', headers: auth, body: { shopId: 'edge', period: 'daily', date: '9999-12-31' } }));
    expect(digest.status).toBe(400);
  });
});
