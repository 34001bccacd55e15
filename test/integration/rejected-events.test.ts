import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { startTestQueues } from '#test/support/queues.ts';
import { makeHaravanOrder } from '#test/support/fixtures/haravan-orders.ts';
import { makeShopifyWebhookOrder } from '#test/support/fixtures/shopify-orders.ts';
import { adReferral, deliveryReceipt } from '#test/support/fixtures/meta-documented.ts';
import { PAGE, metaSign } from '#test/support/fixtures/platforms.ts';
import { orderSignature, rawJson } from '#test/support/fixtures/raw-json.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { handler as events } from '#functions/events/handler.ts';
import { handler as report } from '#functions/report/handler.ts';
import { handler as webhook } from '#functions/webhook/handler.ts';
import { createApiKey, putShop } from '#lib/store/shops.ts';
import { getRollups } from '#lib/store/rollups.ts';
import type { LocalQueues } from '../../scripts/local/queues.ts';

/**
 * Real payload semantics that end in "acknowledged, not counted" (SPEC §1.1,
 * §1.3) and the list a manager reads to see why (SPEC §4.1
 * `GET /v1/shops/{shopId}/rejected-events`): test orders, an order in another
 * currency, a page of another shop in an order, an invalid Meta item, events
 * too late or in the future; and a bare ad referral, which credits its ad
 * and is no message.
 */
const SHOP = 'rej';
const OTHER = 'rej-other';
const SHOPIFY_SECRET = 'shopify-secret-rej-0123456789ab';
const HARAVAN_SECRET = 'haravan-secret-rej-0123456789ab';
const TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 2 * 3_600_000));
const at = (hhmm: string) => `${TODAY}T${hhmm}:00+07:00`;
/** The shop's local date now (rows are listed by when they were refused). */
const localDay = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(ms));
const PSID = '6789';

type Row = { eventId: string; reason: string; source: string; at?: string; detail?: string; rejectedAt: string };

describe('rejected events and real payload semantics', () => {
  let queues: LocalQueues;
  let stop: () => void;
  let key: string;
  let otherKey: string;

  const shopify = (body: unknown, topic = 'orders/create') => {
    const raw = rawJson(body);
    return call(webhook, httpEvent({ method: 'POST', path: `/webhooks/orders/shopify/${SHOP}`, body: raw, headers: { 'X-Shopify-Hmac-Sha256': orderSignature(raw, SHOPIFY_SECRET), 'X-Shopify-Topic': topic } }));
  };
  const haravan = (body: unknown, topic = 'orders/create') => {
    const raw = rawJson(body);
    return call(webhook, httpEvent({ method: 'POST', path: `/webhooks/orders/haravan/${SHOP}`, body: raw, headers: { 'X-Haravan-Hmacsha256': orderSignature(raw, HARAVAN_SECRET), 'X-Haravan-Topic': topic } }));
  };
  const meta = (body: object) => {
    const raw = JSON.stringify(body);
    return call(webhook, httpEvent({ method: 'POST', path: '/webhooks/meta', body: raw, headers: { 'x-hub-signature-256': metaSign(raw, TEST_SECRETS.META_APP_SECRET) } }));
  };
  const list = (query = '', k = key, shop = SHOP) =>
    call(report, httpEvent({ method: 'GET', path: `/v1/shops/${shop}/rejected-events`, query, headers: k ? { authorization: `Bearer ${k}` } : {} }));
  const get = (path: string) => call(report, httpEvent({ method: 'GET', path, headers: { authorization: `Bearer ${key}` } }));

  beforeAll(async () => {
    await createTestTable();
    ({ queues, stop } = startTestQueues());
    await putShop(makeShop(SHOP, { pages: [{ pageId: PAGE, channel: 'facebook', name: 'Fanpage' }], staff: [{ staffId: 'lan', name: 'Lan' }] }));
    await putShop(makeShop(OTHER, { pages: [{ pageId: 'rej-other-page', channel: 'facebook', name: 'Other' }] }));
    key = await createApiKey(SHOP);
    otherKey = await createApiKey(OTHER);
    for (const [platform, secret] of [['shopify', SHOPIFY_SECRET], ['haravan', HARAVAN_SECRET]]) {
      const res = await call(admin, httpEvent({ method: 'PUT', path: `/v1/admin/shops/${SHOP}/order-webhooks/${platform}`, body: { secret }, headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` } }));
      expect(res.status).toBe(204);
    }
  });
  afterAll(() => stop());

  it('acknowledges a Shopify test order (test: true) with 200, counts nothing, lists it once however often it comes', async () => {
    const order = { ...makeShopifyWebhookOrder({ id: 820_000_000_001, test: true, gateway: 'bogus' }), created_at: at('09:00') };
    for (const topic of ['orders/create', 'orders/updated', 'orders/paid']) expect(await shopify(order, topic)).toMatchObject({ status: 200, body: { events: 0, ignored: 'test' } });
    await queues.ingest.drain();
    expect(await getRollups(SHOP, PAGE, 'P', 'D', TODAY, TODAY)).toEqual([]);
    expect((await get(`/v1/shops/${SHOP}/orders/shopify:820000000001`)).status).toBe(404);
    const rows = ((await list()).body.rows as Row[]).filter((r) => r.reason === 'test_order');
    expect(rows).toEqual([{ eventId: 'shopify:820000000001', reason: 'test_order', source: 'shopify', rejectedAt: expect.any(String) }]);
  });

  it('never counts an order in another currency (an AUD order sent to a VND shop): 200, listed currency_mismatch', async () => {
    const aud = { ...makeShopifyWebhookOrder({ id: 820_000_000_002, currency: 'AUD', presentment_currency: 'AUD', total_price: '60.00', subtotal_price: '55.00' }), created_at: at('09:30') };
    expect(await shopify(aud)).toMatchObject({ status: 200, body: { events: 0, ignored: 'currency_mismatch' } });
    // the same order in the shop's currency, lower case as some platforms send it, counts
    const vnd = { ...makeShopifyWebhookOrder({ id: 820_000_000_003, currency: 'vnd' }), created_at: at('09:30') };
    expect(await shopify(vnd)).toMatchObject({ status: 200, body: { events: 1 } });
    await queues.ingest.drain();
    expect((await get(`/v1/shops/${SHOP}/orders/shopify:820000000002`)).status).toBe(404);
    expect((await get(`/v1/shops/${SHOP}/orders/shopify:820000000003`)).body).toMatchObject({ status: 'created', total: 920000 });
    const [day] = await getRollups(SHOP, PAGE, 'P', 'D', TODAY, TODAY);
    expect(day?.fields).toMatchObject({ ordersCreated: 1, provisionalRevenueMinor: 920000 });
    const rows = ((await list()).body.rows as Row[]).filter((r) => r.reason === 'currency_mismatch');
    expect(rows).toEqual([
      { eventId: 'shopify:820000000002', reason: 'currency_mismatch', source: 'shopify', at: new Date(at('09:30')).toISOString(), detail: 'order in AUD, shop in VND', rejectedAt: expect.any(String) },
    ]);
  });

  it('counts an order whose note names a page that is not the shop’s without that page, and lists why', async () => {
    const order = { ...makeHaravanOrder({ id: 820_000_004, notes: [{ name: 'page_id', value: 'rej-other-page' }, { name: 'customer_id', value: 'x-1' }] }), created_at: at('10:00'), customer: null, shipping_address: null, billing_address: null };
    expect(await haravan(order)).toMatchObject({ status: 200, body: { events: 1 } });
    await queues.ingest.drain();
    expect((await get(`/v1/shops/${SHOP}/orders/haravan:820000004`)).body).toMatchObject({ status: 'created', pageId: null, conversation: null });
    const rows = ((await list()).body.rows as Row[]).filter((r) => r.reason === 'unknown_page');
    expect(rows).toEqual([{ eventId: 'haravan:820000004:page', reason: 'unknown_page', source: 'haravan', at: new Date(at('10:00')).toISOString(), detail: expect.stringContaining('page_id'), rejectedAt: expect.any(String) }]);
  });

  it('a bare ad referral credits the ad and is no message; a receipt with timestamp 0 is ignored quietly; an invalid item is listed', async () => {
    const ts = Date.parse(at('08:00'));
    const longMid = `m_${'x'.repeat(250)}`;
    const future = Date.now() + 3 * 86_400_000;
    const batch = {
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: ts,
          messaging: [
            ...adReferral(ts).entry[0]!.messaging,
            ...deliveryReceipt({ timestamp: 0 }).entry[0]!.messaging,
            { sender: { id: 'c-long' }, recipient: { id: PAGE }, timestamp: ts, message: { mid: longMid, text: 'gọi 0912 345 678' } },
            { sender: { id: 'c-future' }, recipient: { id: PAGE }, timestamp: future, message: { mid: 'm_future', text: 'gọi 0912 345 678' } },
          ],
        },
      ],
    };
    const res = await meta(batch);
    expect(res).toMatchObject({ status: 200, body: { events: 2, unknownPages: 0, invalid: 1 } });
    await queues.ingest.drain();
    const totals = (await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/reports/overview`, query: `from=${TODAY}&to=${TODAY}`, headers: { authorization: `Bearer ${key}` } }))).body.totals;
    expect(totals).toMatchObject({ messagesReceived: 0, customersReached: 0, newCustomers: 0 });
    const ads = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/reports/ads`, query: `from=${TODAY}&to=${TODAY}`, headers: { authorization: `Bearer ${key}` } }));
    expect(ads.body.rows).toEqual([expect.objectContaining({ adId: '23850000000000001', conversationsStarted: 1, customersReached: 0 })]);
    const rows = ((await list()).body.rows as Row[]).filter((r) => r.source === 'meta');
    expect(rows.sort((a, b) => a.reason.localeCompare(b.reason))).toEqual([
      { eventId: 'meta:m_future', reason: 'in_future', source: 'meta', at: new Date(future).toISOString(), rejectedAt: expect.any(String) },
      { eventId: `meta:${longMid}`.slice(0, 80), reason: 'invalid', source: 'meta', detail: expect.stringMatching(/^id: /), rejectedAt: expect.any(String) },
    ]);
  });

  it('lists events too late (POST /v1/events) with their own time and source api, once per id', async () => {
    const late = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const res = await call(events, httpEvent({
      method: 'POST',
      path: '/v1/events',
      headers: { authorization: `Bearer ${key}` },
      body: { events: [
        { id: 'rej-late-1', kind: 'message.received', at: late, pageId: PAGE, customerId: PSID },
        { id: 'rej-late-1', kind: 'message.received', at: late, pageId: PAGE, customerId: PSID },
        { id: 'rej-cancel-9', kind: 'order.cancelled', at: late, orderId: 'api:9' },
      ] },
    }));
    expect(res.status).toBe(202);
    // the events API refuses more than 24 hours ahead itself (400); an adapter's event can still be in the future at ingest
    const ahead = await call(events, httpEvent({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${key}` }, body: { events: [{ id: 'rej-f', kind: 'message.received', at: future, pageId: PAGE, customerId: PSID }] } }));
    expect(ahead.status).toBe(400);
    await queues.ingest.drain();
    const rows = ((await list()).body.rows as Row[]).filter((r) => r.source === 'api');
    expect(rows.map((r) => [r.eventId, r.reason, r.at]).sort()).toEqual([
      ['rej-cancel-9', 'too_late', late],
      ['rej-late-1', 'too_late', late],
    ]);
  });

  it('pages newest first with a cursor, filters by local days, holds no personal data, and answers 400/401/403 in the error shape', async () => {
    const all = (await list()).body;
    const now = Date.now();
    expect(all).toMatchObject({ shopId: SHOP, timezone: 'Asia/Ho_Chi_Minh', to: localDay(now), nextCursor: null });
    const rows = all.rows as Row[];
    expect(rows.length).toBe(7);
    expect(rows.map((r) => r.rejectedAt)).toEqual([...rows.map((r) => r.rejectedAt)].sort().reverse());
    for (const r of rows) expect(Object.keys(r).every((k) => ['eventId', 'reason', 'source', 'at', 'detail', 'rejectedAt'].includes(k))).toBe(true);
    const text = JSON.stringify(all);
    for (const personal of ['0912345678', '0912 345 678', PSID, 'c-long', 'c-future', '+84905123456', 'linh.tran']) expect(text).not.toContain(personal);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.rows as Row[]).map((r) => r.eventId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 5);
    expect(seen).toEqual(rows.map((r) => r.eventId));

    const tomorrow = localDay(now + 86_400_000);
    expect((await list(`from=${tomorrow}&to=${tomorrow}`)).body.rows).toEqual([]);
    // every row was refused within the last minutes: today's local day (and yesterday's, right after midnight) hold them all
    const recent = [localDay(now - 600_000), localDay(now)];
    expect((await list(`from=${recent[0]}&to=${recent[1]}`)).body.rows).toHaveLength(7);

    const other = Buffer.from(JSON.stringify({ PK: `SHOP#${OTHER}#REJECTED#x`, SK: 'REJECTED', GSI1PK: `REJECTED#${OTHER}`, GSI1SK: 'z' })).toString('base64url');
    for (const q of [`cursor=${other}`, 'cursor=garbage', 'from=2026-13-01', 'limit=0', 'since=yesterday', `from=${TODAY}&to=2020-01-01`]) {
      const bad = await list(q);
      expect(bad.status, q).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'invalid_request' });
      expect(JSON.stringify(bad.body)).not.toMatch(/\n\s+at /);
    }
    expect((await list('', '')).status).toBe(401);
    expect((await list('', otherKey)).status).toBe(403);
    expect((await list('', otherKey, OTHER)).body.rows).toEqual([]);
  });
});
