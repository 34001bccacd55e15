import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { startTestQueues } from '#test/support/queues.ts';
import { PAGE } from '#test/support/fixtures/platforms.ts';
import { makeHaravanOrder } from '#test/support/fixtures/haravan-orders.ts';
import { makeSapoGoOrder } from '#test/support/fixtures/sapo-orders.ts';
import { makeShopifyWebhookOrder } from '#test/support/fixtures/shopify-orders.ts';
import { orderSignature, rawJson } from '#test/support/fixtures/raw-json.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { handler as events } from '#functions/events/handler.ts';
import { handler as report } from '#functions/report/handler.ts';
import { handler as webhook } from '#functions/webhook/handler.ts';
import { createApiKey, putShop } from '#lib/store/shops.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { db, tableName } from '#lib/store/client.ts';
import type { LocalQueues } from '../../scripts/local/queues.ts';

/**
 * Order webhooks per shop (SPEC §1.3, issue 12 "anyone can write orders into
 * any shop"): each shop's own secret per platform, the shop in the path,
 * nothing in the body routing across shops; the cost table; the order lookup.
 */
const NOW_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 2 * 3_600_000));
const at = (hhmm: string) => `${NOW_DAY}T${hhmm}:00+07:00`;
const B_PAGE = 'ob-page-1';
const SECRET_A = 'haravan-secret-of-shop-a-0123456789';
const SECRET_B = 'haravan-secret-of-shop-b-9876543210';
const SAPO_A = 'sapo-secret-of-shop-a-abcdefabcdef';
const adminAuth = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };

function post(platform: string, shopPath: string, raw: string, headers: Record<string, string>) {
  return call(webhook, httpEvent({ method: 'POST', path: `/webhooks/orders/${platform}/${shopPath}`, body: raw, headers }));
}
const haravan = (shop: string, order: object, secret = SECRET_A, topic = 'orders/create') => {
  const raw = rawJson(order);
  return post('haravan', shop, raw, { 'x-haravan-hmacsha256': orderSignature(raw, secret), 'x-haravan-topic': topic, 'x-haravan-org-id': '200000123' });
};
const recent = (o: Record<string, unknown>) => ({ ...o, created_at: at('09:00'), updated_at: at('09:00') });

describe('order webhooks per shop', () => {
  let queues: LocalQueues;
  let stop: () => void;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    await createTestTable();
    ({ queues, stop } = startTestQueues());
    await putShop(makeShop('ord-a', { pages: [{ pageId: PAGE, channel: 'facebook', name: 'A' }], staff: [{ staffId: 'lan', name: 'Lan' }] }));
    await putShop(makeShop('ord-b', { pages: [{ pageId: B_PAGE, channel: 'facebook', name: 'B' }], staff: [{ staffId: 'minh', name: 'Minh' }] }));
    keyA = await createApiKey('ord-a');
    keyB = await createApiKey('ord-b');
    for (const [shop, platform, secret] of [['ord-a', 'haravan', SECRET_A], ['ord-b', 'haravan', SECRET_B], ['ord-a', 'sapo', SAPO_A]]) {
      const res = await call(admin, httpEvent({ method: 'PUT', path: `/v1/admin/shops/${shop}/order-webhooks/${platform}`, body: { secret }, headers: adminAuth }));
      expect(res.status).toBe(204);
      expect(res.raw).toBe('');
    }
  });
  afterAll(() => stop());

  it('keeps the secret only in its own item, never in the shop', async () => {
    const items = (await db().send(new ScanCommand({ TableName: tableName() }))).Items ?? [];
    const holding = items.filter((i) => JSON.stringify(i).includes(SECRET_A));
    expect(holding.map((i) => [i.PK, i.SK])).toEqual([['ORDERHOOK#ord-a#haravan', 'SECRET']]);
  });

  it('validates the secret route: admin token, platform, shop, length', async () => {
    const put = (path: string, body: object, headers: Record<string, string> = adminAuth) => call(admin, httpEvent({ method: 'PUT', path, body, headers }));
    expect((await put('/v1/admin/shops/ord-a/order-webhooks/haravan', { secret: 'x'.repeat(20) }, { authorization: `Bearer ${keyA}` })).status).toBe(401);
    expect((await put('/v1/admin/shops/ord-a/product-costs', { items: [] }, { authorization: `Bearer ${keyA}` })).status).toBe(401);
    expect((await put('/v1/admin/shops/nobody/product-costs', { items: [] })).status).toBe(404);
    expect((await put('/v1/admin/shops/ord-a/order-webhooks/woo', { secret: 'x'.repeat(20) })).status).toBe(404);
    expect((await put('/v1/admin/shops/nobody/order-webhooks/haravan', { secret: 'x'.repeat(20) })).status).toBe(404);
    const short = await put('/v1/admin/shops/ord-a/order-webhooks/haravan', { secret: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.details[0]).toMatchObject({ path: 'secret' });
  });

  it('takes an order signed with the shop’s own secret, and refuses A’s signature on B’s path', async () => {
    const order = recent(makeHaravanOrder({ id: 7001 }));
    expect((await haravan('ord-a', order)).body).toEqual({ events: 1, unknownPages: 0, invalid: 0 });
    const cross = await haravan('ord-b', recent(makeHaravanOrder({ id: 7002, notes: [{ name: 'page_id', value: B_PAGE }] })), SECRET_A);
    expect(cross.status).toBe(401);
    await queues.ingest.drain();
    expect(await getRollups('ord-b', B_PAGE, 'P', 'D', NOW_DAY, NOW_DAY)).toEqual([]);
    const [a] = await getRollups('ord-a', PAGE, 'P', 'D', NOW_DAY, NOW_DAY);
    expect(a?.fields).toMatchObject({ ordersCreated: 1, provisionalRevenueMinor: 450000 });
  });

  it('answers the same 401 for an unknown shop and a platform without a secret, and 404 on the old shared route', async () => {
    const raw = rawJson(recent(makeShopifyWebhookOrder({ id: 7003 })));
    const sig = orderSignature(raw, SECRET_A);
    const unknown = await post('shopify', 'no-such-shop', raw, { 'x-shopify-hmac-sha256': sig, 'x-shopify-topic': 'orders/create' });
    const noSecret = await post('shopify', 'ord-a', raw, { 'x-shopify-hmac-sha256': sig, 'x-shopify-topic': 'orders/create' });
    expect(unknown.status).toBe(401);
    expect(noSecret).toMatchObject({ status: 401, body: unknown.body });
    const badEscape = await post('haravan', '%E0%A4%A', raw, { 'x-haravan-hmacsha256': sig, 'x-haravan-topic': 'orders/create' });
    expect(badEscape.status).toBe(401);
    const old = await call(webhook, httpEvent({ method: 'POST', path: '/webhooks/orders/haravan', query: 'shop=ord-a', body: raw, headers: { 'x-haravan-hmacsha256': sig, 'x-haravan-topic': 'orders/create' } }));
    expect(old.status).toBe(404);
    expect(old.body.error.message).toContain('/webhooks/orders/{platform}/{shopId}');
  });

  it('reads headers in any case, and Sapo’s hyphenated and older signature names', async () => {
    const raw = rawJson({ ...makeSapoGoOrder({ id: 7004 }), created_on: at('08:00'), modified_on: at('08:00') });
    const sig = orderSignature(raw, SAPO_A);
    for (const headers of [{ 'X-Sapo-Hmac-Sha256': sig, 'X-Sapo-Topic': 'orders/update' }, { 'X-SAPO-HMACSHA256': sig, 'x-sapo-topic': 'orders/update' }]) {
      const e = httpEvent({ method: 'POST', path: '/webhooks/orders/sapo/ord-a', body: raw });
      e.headers = headers; // as sent, not lower-cased
      expect((await call(webhook, e)).body).toEqual({ events: 1, unknownPages: 0, invalid: 0 });
    }
  });

  it('answers 400 with the field, never 500, for hostile bodies behind a valid signature', async () => {
    const send = (raw: string, topic: string | null) =>
      post('haravan', 'ord-a', raw, { 'x-haravan-hmacsha256': orderSignature(raw, SECRET_A), ...(topic ? { 'x-haravan-topic': topic } : {}) });
    const cases: Array<[string, string | null, string]> = [
      ['{"id": 1,', 'orders/create', ''],
      ['[]', 'orders/create', ''],
      [rawJson({ ...recent(makeHaravanOrder()), id: 1.5 }), 'orders/create', 'id'],
      [rawJson({ ...recent(makeHaravanOrder()), id: 'x'.repeat(101) }), 'orders/create', 'id'],
      [rawJson({ ...recent(makeHaravanOrder()), total_price: '1e6' }), 'orders/create', 'total_price'],
      [rawJson({ ...recent(makeHaravanOrder()), created_at: '2026-11-20 10:00' }), 'orders/create', 'created_at'],
      [rawJson({ ...recent(makeHaravanOrder()), line_items: [{ quantity: -1 }] }), 'orders/create', 'line_items.0.quantity'],
      [rawJson(recent(makeHaravanOrder())), null, 'X-Haravan-Topic'],
    ];
    for (const [raw, topic, path] of cases) {
      const res = await send(raw, topic);
      expect(res.status, raw.slice(0, 60)).toBe(400);
      expect(res.body.error.details?.[0]?.path ?? '', raw.slice(0, 60)).toBe(path);
    }
  });

  it('refuses an order total that cannot be kept exactly (past 15 digits of minor units) with 400, and queues nothing', async () => {
    const raw = rawJson({ ...recent(makeHaravanOrder()), id: 7700001, total_price: '99999999999999999' });
    const res = await post('haravan', 'ord-a', raw, { 'x-haravan-hmacsha256': orderSignature(raw, SECRET_A), 'x-haravan-topic': 'orders/create' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: expect.stringContaining('total') }));
    await queues.ingest.drain();
    const view = await call(report, httpEvent({ method: 'GET', path: '/v1/shops/ord-a/orders/haravan:7700001', headers: { authorization: `Bearer ${keyA}` } }));
    expect(view.status).toBe(404);
  });

  it('acknowledges a topic it does not use with 200 and stores nothing', async () => {
    const res = await haravan('ord-a', { id: 55, title: 'Áo khoác', variants: [] }, SECRET_A, 'products/update');
    expect(res).toMatchObject({ status: 200, body: { events: 0, ignored: 'products/update' } });
  });

  it('lets no note attribute route an order into another shop: B’s page is ignored (phone links it in A), a stranger staff is unknown', async () => {
    // the customer typed their phone in A's Messenger
    const msg = await call(events, httpEvent({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${keyA}` }, body: { events: [{ id: 'ord-sec-m1', kind: 'message.received', at: at('08:30'), pageId: PAGE, customerId: 'ca-1', phone: '0912 345 678' }] } }));
    expect(msg.status).toBe(202);
    await queues.ingest.drain();
    const hostile = [{ name: 'page_id', value: B_PAGE }, { name: 'customer_id', value: 'cb-1' }, { name: 'staff_id', value: 'minh' }];
    expect((await haravan('ord-a', recent(makeHaravanOrder({ id: 7005, notes: hostile })))).status).toBe(200);
    // no phone anywhere: stays unlinked, on no page
    const noPhone = recent(makeHaravanOrder({ id: 7006, notes: hostile, customer: null, shipping_address: null, billing_address: null }));
    expect((await haravan('ord-a', noPhone)).status).toBe(200);
    await queues.ingest.drain();

    expect(await getRollups('ord-b', B_PAGE, 'P', 'D', NOW_DAY, NOW_DAY)).toEqual([]);
    expect(await getRollups('ord-b', B_PAGE, 'S', 'D', NOW_DAY, NOW_DAY)).toEqual([]);
    // on no page: 7006 (450000) and the earlier Sapo order sapo:7004 (1400000, no note attributes)
    const [unlinked] = await getRollups('ord-a', '_', 'P', 'D', NOW_DAY, NOW_DAY);
    expect(unlinked?.fields).toMatchObject({ ordersCreated: 2, provisionalRevenueMinor: 1850000 });
    const linked = await call(report, httpEvent({ method: 'GET', path: '/v1/shops/ord-a/orders/haravan:7005', headers: { authorization: `Bearer ${keyA}` } }));
    expect(linked.body).toMatchObject({ pageId: PAGE, conversation: { pageId: PAGE, customerId: 'ca-1', linkedBy: 'phone' }, staff: { staffId: 'unknown', reason: 'none' } });
    // staff-sales: 7001 (lan, by its note, 450000); unknown: the two hostile orders (minh is B's staff), 450000 each,
    // and sapo:7004 (no staff, 1400000) → 3 orders, 2300000
    const sales = await call(report, httpEvent({ method: 'GET', path: '/v1/shops/ord-a/reports/staff-sales', query: `from=${NOW_DAY}&to=${NOW_DAY}`, headers: { authorization: `Bearer ${keyA}` } }));
    const rows = Object.fromEntries((sales.body.rows as Array<{ staffId: string; ordersCreated: number; revenue: number }>).map((r) => [r.staffId, [r.ordersCreated, r.revenue]]));
    expect(rows).toMatchObject({ lan: [1, 450000], unknown: [3, 2300000] });
    expect(rows).not.toHaveProperty('minh');
  });

  it('computes grossProfit of orders without line cost from the product cost table', async () => {
    const put = (body: object) => call(admin, httpEvent({ method: 'PUT', path: '/v1/admin/shops/ord-b/product-costs', body, headers: adminAuth }));
    const bad = await put({ items: [{ cost: '10' }, { sku: 'A', cost: '-1' }, { variantId: 12, cost: 'cheap' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['items.0.sku', 'items.1.cost', 'items.2.cost']);
    expect((await put({ items: [{ sku: 'A', cost: 1 }, { sku: 'A', cost: 2 }] })).body.error.details).toEqual([{ index: 1, path: 'sku', message: 'A is already listed at index 0' }]);
    expect((await put({ items: [{ sku: 'OLD', cost: '5' }] })).body).toEqual({ items: 1, deleted: 0 });
    // variant 1045678901 (2 × 90000) and SKU MU-LEN (1 × 70000): cost 250000, total 450000 → profit 200000
    expect((await put({ items: [{ variantId: 1045678901, cost: '90000' }, { sku: 'MU-LEN', cost: 70000 }] })).body).toEqual({ items: 2, deleted: 1 });
    const order = recent(makeHaravanOrder({ id: 7101, notes: [{ name: 'page_id', value: B_PAGE }, { name: 'staff_id', value: 'minh' }] }));
    expect((await haravan('ord-b', order, SECRET_B)).status).toBe(200);
    await queues.ingest.drain();
    const overview = await call(report, httpEvent({ method: 'GET', path: '/v1/shops/ord-b/reports/overview', query: `from=${NOW_DAY}&to=${NOW_DAY}`, headers: { authorization: `Bearer ${keyB}` } }));
    expect(overview.body.totals).toMatchObject({ ordersCreated: 1, revenue: 450000, grossProfit: 200000 });
    const view = await call(report, httpEvent({ method: 'GET', path: '/v1/shops/ord-b/orders/haravan%3A7101', headers: { authorization: `Bearer ${keyB}` } }));
    expect(view.body).toMatchObject({ total: 450000, cost: 250000, staff: { staffId: 'minh', reason: 'note_attributes' }, pageId: B_PAGE, conversation: null });
  });

  it('keeps an order id past 2^53 exact end to end, and shows the order’s state and attribution', async () => {
    const raw = rawJson(
      recent(makeHaravanOrder({ id: 9007199254740993n, carrier: 'delivered', notes: [{ name: 'page_id', value: PAGE }, { name: 'customer_id', value: 'ca-2' }, { name: 'staff_id', value: 'lan' }, { name: 'ad_id', value: 'ad-77' }] })),
    );
    expect(raw).toContain('"id":9007199254740993,');
    const res = await post('haravan', 'ord-a', raw, { 'x-haravan-hmacsha256': orderSignature(raw, SECRET_A), 'x-haravan-topic': 'orders/updated' });
    expect(res.body).toEqual({ events: 2, unknownPages: 0, invalid: 0 });
    await queues.ingest.drain();
    const get = (path: string, key = keyA) => call(report, httpEvent({ method: 'GET', path, headers: { authorization: `Bearer ${key}` } }));
    const view = await get('/v1/shops/ord-a/orders/haravan:9007199254740993');
    expect(view).toMatchObject({ status: 200 });
    expect(view.body).toEqual({
      shopId: 'ord-a',
      orderId: 'haravan:9007199254740993',
      currency: 'VND',
      status: 'delivered',
      total: 450000,
      cost: null,
      createdAt: new Date(at('09:00')).toISOString(),
      cancelledAt: null,
      deliveredAt: '2026-11-21T07:45:00.000Z', // the carrier's delivered_date
      returnedAt: null,
      pageId: PAGE,
      conversation: { pageId: PAGE, customerId: 'ca-2', linkedBy: 'note_attributes' },
      staff: { staffId: 'lan', reason: 'note_attributes' },
      ad: { adId: 'ad-77', reason: 'note_attributes' },
      referralCode: null,
    });
    expect((await get('/v1/shops/ord-a/orders/haravan:9007199254740992')).status).toBe(404);
    expect((await get('/v1/shops/ord-a/orders/haravan:9007199254740993', keyB)).status).toBe(403);
  });
});
