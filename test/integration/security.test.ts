import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { faultyClient } from '#test/support/faults.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { PAGE, makeMetaMessage, metaSign } from '#test/support/fixtures/platforms.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { handler as events } from '#functions/events/handler.ts';
import { handler as report } from '#functions/report/handler.ts';
import { handler as webhook } from '#functions/webhook/handler.ts';
import { createApiKey, putShop } from '#lib/store/shops.ts';
import { setDb } from '#lib/store/client.ts';
import { resetConfig } from '#lib/config.ts';

const SECRET_VALUES = Object.values(TEST_SECRETS);

describe('security', () => {
  let keyA: string;
  let keyB: string;
  beforeAll(async () => {
    await createTestTable();
    await putShop(makeShop('sec-a', { pages: [{ pageId: PAGE, channel: 'facebook', name: 'A' }] }));
    await putShop(makeShop('sec-b', { pages: [{ pageId: 'sec-b-page', channel: 'facebook', name: 'B' }] }));
    keyA = await createApiKey('sec-a');
    keyB = await createApiKey('sec-b');
  });
  afterEach(() => {
    setDb(undefined);
    vi.restoreAllMocks();
  });

  it('never lets one shop read another shop\'s reports, for every report', async () => {
    for (const name of ['overview', 'conversations', 'staff-chat', 'staff-sales', 'ads', 'referrals']) {
      const res = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/sec-b/reports/${name}`, query: 'from=2026-11-01&to=2026-11-02', headers: { authorization: `Bearer ${keyA}` } }));
      expect(res.status, name).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      const own = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/sec-b/reports/${name}`, query: 'from=2026-11-01&to=2026-11-02', headers: { authorization: `Bearer ${keyB}` } }));
      expect(own.status, name).toBe(200);
    }
  });

  it('never lets one shop write events into another shop\'s page', async () => {
    const res = await call(events, httpEvent({
      method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${keyA}` },
      body: { events: [{ id: 'x1', kind: 'message.received', at: new Date().toISOString(), pageId: 'sec-b-page', customerId: 'c' }] },
    }));
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ index: 0, path: 'pageId' });
  });

  it('requires the admin token on every admin route', async () => {
    const routes: Array<[string, string, object | undefined]> = [
      ['PUT', '/v1/admin/shops/sec-a', { name: 'x' }],
      ['POST', '/v1/admin/shops/sec-a/api-keys', undefined],
      ['POST', '/v1/admin/rebuild', { shopId: 'sec-a', from: '2026-11-01', to: '2026-11-02' }],
      ['POST', '/v1/admin/digests/run', { shopId: 'sec-a', period: 'daily', date: '2026-11-01' }],
    ];
    for (const [method, path, body] of routes) {
      for (const auth of [undefined, 'Bearer nope', `Bearer ${keyA}`, `Basic ${TEST_SECRETS.ADMIN_TOKEN}`]) {
        const res = await call(admin, httpEvent({ method, path, ...(body ? { body } : {}), headers: auth ? { authorization: auth } : {} }));
        expect(res.status, `${method} ${path} with ${auth}`).toBe(401);
      }
    }
  });

  it('answers 413 for an oversized webhook body and stores nothing', async () => {
    process.env.MAX_BODY_BYTES = '2048';
    resetConfig();
    try {
      const big = JSON.stringify({ ...makeMetaMessage(), padding: 'x'.repeat(4096) });
      const res = await call(webhook, httpEvent({ method: 'POST', path: '/webhooks/meta', body: big, headers: { 'x-hub-signature-256': metaSign(big, TEST_SECRETS.META_APP_SECRET) } }));
      expect(res.status).toBe(413);
    } finally {
      delete process.env.MAX_BODY_BYTES;
      resetConfig();
    }
  });

  it('answers 400 for malformed JSON behind a valid signature', async () => {
    const raw = '{"object":"page","entry":[';
    const res = await call(webhook, httpEvent({ method: 'POST', path: '/webhooks/meta', body: raw, headers: { 'x-hub-signature-256': metaSign(raw, TEST_SECRETS.META_APP_SECRET) } }));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Request body is not valid JSON');
  });

  it('turns an internal failure into a 500 with a request id, no stack and no secret, in the response and the logs', async () => {
    const logged: string[] = [];
    process.env.LOG_LEVEL = 'info';
    // Powertools Logger writes to the process streams, not through `console`
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation(((l: string | Uint8Array) => logged.push(String(l)) > 0) as typeof stream.write);
    }
    setDb(faultyClient(() => Object.assign(new Error(`connect ECONNREFUSED with ${TEST_SECRETS.ADMIN_TOKEN}`), { name: 'InternalDatabaseFailure' })));
    try {
      const res = await call(report, httpEvent({ method: 'GET', path: '/v1/shops/sec-a/reports/overview', query: 'from=2026-11-01&to=2026-11-02', headers: { authorization: `Bearer ${keyA}` } }));
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'internal', message: 'Internal error', details: { requestId: expect.any(String) } } });
      for (const text of [res.raw, ...logged]) {
        expect(text).not.toMatch(/\n\s+at /);
        for (const s of SECRET_VALUES) expect(text).not.toContain(s);
      }
      expect(logged.some((l) => l.includes('"errorName":"InternalDatabaseFailure"'))).toBe(true);
    } finally {
      process.env.LOG_LEVEL = 'silent';
    }
  });
});
