import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { restoreEnv, TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { faultyClient } from '#test/support/faults.ts';
import { handler as report } from '#functions/report/handler.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { handler as events } from '#functions/events/handler.ts';
import { handler as webhook } from '#functions/webhook/handler.ts';
import { createApiKey, putShop } from '#lib/store/shops.ts';
import { checkConfig, resetConfig } from '#lib/config.ts';
import { setDb } from '#lib/store/client.ts';
import { shopInputSchema } from '#lib/shops/schema.ts';
import { setQueues, type IngestMessage } from '#lib/queue/queue.ts';

/**
 * Issue 21: per-shop limits answer 429 with Retry-After in our error shape;
 * ids past DynamoDB's key limits, revoked report links, unsafe settings and
 * unsigned order webhooks are refused early, in our shape.
 */
const A = 'lim-a';
const B = 'lim-b';
const ADMIN = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
/** 0.4 s into a second: the window ends 0.6 s later, so Retry-After is 1. */
const FIXED_NOW = Date.parse('2026-11-25T03:00:00.400Z');
let keyA: string;
let keyB: string;
const queued: IngestMessage[] = [];
const saved = { ...process.env };

const event = (id: string) => ({ id, kind: 'message.received', at: '2026-11-24T10:00:00+07:00', pageId: 'page-fb', customerId: `c-${id}` });
const postEvents = (key: string, n: number, prefix: string) =>
  call(events, httpEvent({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${key}` }, body: { events: Array.from({ length: n }, (_, i) => event(`${prefix}-${i}`)) } }));
const overview = (shop: string, key: string) =>
  call(report, httpEvent({ method: 'GET', path: `/v1/shops/${shop}/reports/overview`, query: 'from=2026-11-24&to=2026-11-24', headers: { authorization: `Bearer ${key}` } }));

function expect429(res: { status: number; body: any; headers: Record<string, string> }, limit: string) {
  expect(res.status).toBe(429);
  expect(res.headers['retry-after']).toBe('1');
  expect(res.body.error.code).toBe('too_many_requests');
  expect(res.body.error.details.limit).toBe(limit);
  expect(typeof res.body.error.message).toBe('string');
}

describe('per-shop limits, long ids and revocable links', () => {
  beforeAll(async () => {
    process.env.REPORT_LINK_KEY = 'limits-report-link-key-0123456789abcdef';
    process.env.SHOP_EVENT_REQUESTS_PER_SECOND = '3';
    process.env.SHOP_EVENTS_PER_SECOND = '1000';
    process.env.SHOP_REPORT_REQUESTS_PER_SECOND = '2';
    resetConfig();
    await createTestTable();
    await putShop(makeShop(A));
    await putShop(makeShop(B, { pages: [{ pageId: 'page-b', channel: 'facebook', name: 'B' }] }));
    keyA = await createApiKey(A);
    keyB = await createApiKey(B);
    // accepted events are only collected: this file is about what is refused
    setQueues({ sendIngest: async (m: IngestMessage[]) => void queued.push(...m), sendDigestJobs: async () => {}, deadLetterDigest: async () => {} });
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => {
    setQueues(undefined);
    restoreEnv(saved);
  });

  it('POST /v1/events: the 4th request of a second and the events past 1,000 answer 429 with Retry-After; another shop is not affected', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(FIXED_NOW);
    for (let i = 0; i < 3; i++) expect((await postEvents(keyA, 1, `a${i}`)).status).toBe(202);
    expect429(await postEvents(keyA, 1, 'a3'), 'events');
    // shop B has its own counter
    expect((await call(events, httpEvent({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${keyB}` }, body: { events: [{ ...event('b0'), pageId: 'page-b' }] } }))).status).toBe(202);
    // the next second is a new window: 500 + 500 events pass, the next 1 is past 1,000 events
    vi.spyOn(Date, 'now').mockReturnValue(FIXED_NOW + 1000);
    expect((await postEvents(keyA, 500, 'x')).status).toBe(202);
    expect((await postEvents(keyA, 500, 'y')).status).toBe(202);
    expect429(await postEvents(keyA, 1, 'z'), 'events');
  });

  it('reports, exports, order lookups and report links share the report limit (2 a second here)', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(FIXED_NOW + 5000);
    expect((await overview(A, keyA)).status).toBe(200);
    const exp = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${A}/exports/conversations`, query: 'from=2026-11-24&to=2026-11-24', headers: { authorization: `Bearer ${keyA}` } }));
    expect(exp.status).toBe(200);
    expect429(await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${A}/orders/shopify:1`, headers: { authorization: `Bearer ${keyA}` } })), 'reports');
    expect429(await call(report, httpEvent({ method: 'POST', path: `/v1/shops/${A}/report-links`, headers: { authorization: `Bearer ${keyA}` }, body: { report: 'overview', from: '2026-11-24', to: '2026-11-24' } })), 'reports');
    expect((await overview(B, keyB)).status).toBe(200);
    // a key of another shop is refused (403) before it can use up this shop's limit
    vi.spyOn(Date, 'now').mockReturnValue(FIXED_NOW + 6000);
    for (let i = 0; i < 3; i++) expect((await overview(A, keyB)).status).toBe(403);
    expect((await overview(A, keyA)).status).toBe(200);
  });

  it('a report page counts against its shop once its signature verifies; a forged one costs nothing', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(FIXED_NOW + 7000);
    const made = await call(report, httpEvent({ method: 'POST', path: `/v1/shops/${A}/report-links`, headers: { authorization: `Bearer ${keyA}` }, body: { report: 'overview', from: '2026-11-24', to: '2026-11-24' } }));
    expect(made.status).toBe(201);
    const u = new URL(made.body.url);
    const open = (q: string) => call(report, httpEvent({ method: 'GET', path: u.pathname, query: q }));
    for (let i = 0; i < 3; i++) expect((await open(u.search.slice(1).replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(403);
    expect((await open(u.search.slice(1))).status).toBe(200); // the 2nd report request of this second (the link was the 1st)
    const third = await open(u.search.slice(1));
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('1');
  });

  it('revoking one shop\'s report links stops its old links (403 page), not new ones nor another shop\'s', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(FIXED_NOW + 10_000);
    const link = async (shop: string, key: string) =>
      new URL((await call(report, httpEvent({ method: 'POST', path: `/v1/shops/${shop}/report-links`, headers: { authorization: `Bearer ${key}` }, body: { report: 'overview', from: '2026-11-24', to: '2026-11-24' } }))).body.url);
    const open = (u: URL) => call(report, httpEvent({ method: 'GET', path: u.pathname, query: u.search.slice(1) }));
    const oldA = await link(A, keyA);
    const oldB = await link(B, keyB);
    const revoked = await call(admin, httpEvent({ method: 'POST', path: `/v1/admin/shops/${A}/report-links/revoke`, headers: ADMIN }));
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ shopId: A, linkGeneration: 1 });
    vi.spyOn(Date, 'now').mockReturnValue(FIXED_NOW + 11_000);
    const refused = await open(oldA);
    expect(refused.status).toBe(403);
    // a person's browser gets the short page saying the link is not valid (altered or revoked), in the shop's language
    expect(refused.headers['content-type']).toContain('text/html');
    expect(refused.raw).toMatch(/thu hồi|revoked/);
    // removing the generation from a new link breaks its signature
    vi.spyOn(Date, 'now').mockReturnValue(FIXED_NOW + 12_000);
    const fresh = await link(A, keyA);
    expect(fresh.searchParams.get('gen')).toBe('1');
    const stripped = new URL(fresh);
    stripped.searchParams.delete('gen');
    expect((await open(stripped)).status).toBe(403);
    vi.spyOn(Date, 'now').mockReturnValue(FIXED_NOW + 13_000);
    expect((await open(fresh)).status).toBe(200);
    expect((await open(oldB)).status).toBe(200);
    const unknown = await call(admin, httpEvent({ method: 'POST', path: '/v1/admin/shops/no-such-shop/report-links/revoke', headers: ADMIN }));
    expect(unknown.status).toBe(404);
  });

  it('a 2,100-character order id and a 3,000-character shop id answer 400 in our shape, not DynamoDB\'s 500', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(FIXED_NOW + 20_000);
    const longOrder = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${A}/orders/shopify:${'9'.repeat(2100)}`, headers: { authorization: `Bearer ${keyA}` } }));
    expect(longOrder.status).toBe(400);
    // SHOP#lim-a#ORDER#shopify:999…: 5 + 5 + 7 + 8 + 2,100 bytes
    expect(longOrder.body.error).toMatchObject({ code: 'invalid_request', details: [{ path: 'id', message: 'too long (key of 2125 bytes > 2048)' }] });
    const longShop = 's'.repeat(3000);
    for (const [method, path] of [
      ['POST', `/v1/admin/shops/${longShop}/api-keys`],
      ['GET', `/v1/admin/shops/${longShop}/api-keys`],
      ['POST', `/v1/admin/shops/${longShop}/report-links/revoke`],
    ] as const) {
      const res = await call(admin, httpEvent({ method, path, headers: ADMIN, ...(method === 'POST' ? { body: {} } : {}) }));
      expect(res.status, `${method} ${path.slice(0, 40)}`).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    // a long shop id in an order webhook path is refused without a read
    const hook = await call(webhook, httpEvent({ method: 'POST', path: `/webhooks/orders/shopify/${longShop}`, headers: { 'x-shopify-hmac-sha256': 'A'.repeat(43) + '=', 'x-shopify-topic': 'orders/create' }, body: '{}' }));
    expect(hook.status).toBe(401);
  });

  it('an order webhook without a well-formed signature is refused before the shop\'s secret is read', async () => {
    const commands: string[] = [];
    setDb(faultyClient((name) => void commands.push(name)));
    try {
      for (const sig of [undefined, '', 'not-base64!', 'A'.repeat(44)]) {
        const res = await call(webhook, httpEvent({ method: 'POST', path: `/webhooks/orders/shopify/${A}`, headers: { 'x-shopify-topic': 'orders/create', ...(sig === undefined ? {} : { 'x-shopify-hmac-sha256': sig }) }, body: '{"id":1}' }));
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
      expect(commands).toEqual([]);
      // a well-formed (but wrong) signature does read the secret, once
      const wrong = await call(webhook, httpEvent({ method: 'POST', path: `/webhooks/orders/shopify/${A}`, headers: { 'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': 'A'.repeat(43) + '=' }, body: '{"id":1}' }));
      expect(wrong.status).toBe(401);
      expect(commands).toEqual(['GetItemCommand']);
    } finally {
      setDb(undefined);
    }
  });
});

describe('settings named in issue 21 are refused at start', () => {
  afterEach(() => restoreEnv(saved));

  it('PUBLIC_BASE_URL must be http or https', () => {
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'ftp://example.com']) {
      process.env.PUBLIC_BASE_URL = bad;
      expect(() => checkConfig()).toThrow('PUBLIC_BASE_URL: must be an http:// or https:// URL');
    }
    process.env.PUBLIC_BASE_URL = 'https://reports.example.com';
    expect(checkConfig().PUBLIC_BASE_URL).toBe('https://reports.example.com');
  });

  it('workingHours 24:59 (or 24:30) is refused; 24:00 ends a day', () => {
    const shop = (end: string) => shopInputSchema.safeParse({ name: 'x', pages: [], staff: [], recipients: [], workingHours: [{ days: ['mon'], start: '08:00', end }] });
    for (const bad of ['24:59', '24:30', '25:00']) expect(shop(bad).success, bad).toBe(false);
    expect(shop('24:00').success).toBe(true);
    expect(shop('23:59').success).toBe(true);
  });

  it('a bad DYNAMODB_PORT stops npm start with our config message, no Java stack trace (the banner and the admin token: test/e2e/demo.test.ts)', () => {
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env: { ...process.env, DYNAMODB_PORT: '99999', PORT: '0', DYNAMODB_ENDPOINT: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('chatpulse did not start. Invalid configuration:');
    expect(bad.stderr).toContain('DYNAMODB_PORT: must be a port number 1–65535');
    expect(bad.stderr).not.toMatch(/at [\w.$]+\(|Exception|java\./);
  });
});
