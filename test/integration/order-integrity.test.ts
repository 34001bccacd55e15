import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { startTestQueues } from '#test/support/queues.ts';
import { makeHaravanOrder, type HaravanCarrier } from '#test/support/fixtures/haravan-orders.ts';
import { makeSapoGoOrder, type SapoStage } from '#test/support/fixtures/sapo-orders.ts';
import { makeShopifyWebhookOrder, type ShipmentStatus } from '#test/support/fixtures/shopify-orders.ts';
import { orderSignature, rawJson } from '#test/support/fixtures/raw-json.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { handler as report } from '#functions/report/handler.ts';
import { handler as webhook } from '#functions/webhook/handler.ts';
import { createApiKey, putShop } from '#lib/store/shops.ts';
import { getRollups } from '#lib/store/rollups.ts';
import type { LocalQueues } from '../../scripts/local/queues.ts';

/**
 * Order integrity (issue 21, SPEC §1.3): the topic header is not signed, so
 * an order's state comes from the signed body alone. Every captured body of
 * every platform is replayed under every topic; the state the order ends in
 * is the one its body shows (written here by hand from the fixtures, not
 * computed by the adapter), an older body replayed after a newer one changes
 * nothing, and a returned parcel is never delivered too.
 */
const SHOP = 'integ';
const PAGE = 'integ-page';
const RET_PAGE = 'integ-page-ret';
const SECRETS = { haravan: 'haravan-secret-integ-0123456789', sapo: 'sapo-secret-integ-0123456789ab', shopify: 'shopify-secret-integ-012345678' } as const;
type Platform = keyof typeof SECRETS;
const HEADERS: Record<Platform, [string, string]> = {
  haravan: ['x-haravan-hmacsha256', 'x-haravan-topic'],
  sapo: ['x-sapo-hmac-sha256', 'x-sapo-topic'],
  shopify: ['x-shopify-hmac-sha256', 'x-shopify-topic'],
};
/** Every topic we use, the singular spellings Sapo sends, and topics we do not use. */
const USED = ['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled', 'orders/fulfilled', 'orders/partially_fulfilled', 'fulfillments/create', 'fulfillments/update', 'orders/update', 'order/cancel'];
const UNUSED = ['orders/delete', 'refunds/create', 'customers/update', 'orders/edited', 'app/uninstalled'];
const TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 2 * 3_600_000));
const CREATED = `${TODAY}T01:00:00.000Z`;

type Status = 'created' | 'delivered' | 'returned' | 'cancelled';
type Body = { name: string; body: Record<string, unknown>; status: Status };
const notes = (page = PAGE) => [{ name: 'page_id', value: page }];

/** The captured bodies of one order id per platform and stage, with the state each shows (by reading the fixture). */
function haravanBodies(id: number, page = PAGE): Body[] {
  const order = (carrier: HaravanCarrier, extra: Record<string, unknown> = {}) => ({ ...makeHaravanOrder({ id, carrier, notes: notes(page), ...extra }), created_at: CREATED });
  return [
    { name: 'haravan new', body: order('none'), status: 'created' },
    { name: 'haravan ready to pick', body: order('readytopick'), status: 'created' },
    { name: 'haravan delivering', body: order('delivering'), status: 'created' },
    { name: 'haravan delivered', body: order('delivered'), status: 'delivered' },
    { name: 'haravan waiting for return', body: order('waitingforreturn'), status: 'created' },
    { name: 'haravan returned', body: order('return'), status: 'returned' },
    { name: 'haravan cancelled', body: order('none', { cancelled: true, updated_at: `${TODAY}T06:00:00.000Z` }), status: 'cancelled' },
  ];
}
function shopifyBodies(id: number): Body[] {
  const order = (shipment: ShipmentStatus, extra: Record<string, unknown> = {}) => ({ ...makeShopifyWebhookOrder({ id, shipment, notes: notes(), ...extra }), created_at: CREATED });
  return [
    { name: 'shopify new', body: order('none'), status: 'created' },
    { name: 'shopify confirmed', body: order('confirmed'), status: 'created' },
    { name: 'shopify in transit', body: order('in_transit'), status: 'created' },
    { name: 'shopify out for delivery', body: order('out_for_delivery'), status: 'created' },
    { name: 'shopify failure', body: order('failure'), status: 'created' },
    { name: 'shopify delivered', body: order('delivered'), status: 'delivered' },
    { name: 'shopify cancelled', body: order('none', { cancelled_at: `${TODAY}T05:00:00+07:00`, cancel_reason: 'customer' }), status: 'cancelled' },
  ];
}
function sapoBodies(id: number): Body[] {
  const order = (stage: SapoStage) => ({ ...makeSapoGoOrder({ id, stage }), created_on: CREATED });
  return [
    { name: 'sapo finalized', body: order('finalized'), status: 'created' },
    { name: 'sapo shipped', body: order('shipped'), status: 'created' },
    { name: 'sapo received', body: order('received'), status: 'delivered' },
    { name: 'sapo delivery cancelled', body: order('delivery_cancelled'), status: 'returned' },
    { name: 'sapo returned after receipt', body: order('returned'), status: 'returned' },
  ];
}
/** Fulfillment bodies (`fulfillments/*`), which name their order by `order_id`. */
const fulfillmentOf = (b: Body) => (b.body.fulfillments as Array<Record<string, unknown>>)[0]!;

describe('order integrity: the signed body decides, never the topic', () => {
  let queues: LocalQueues;
  let stop: () => void;
  let key: string;
  let nextId = 880_000;

  const send = (platform: Platform, body: unknown, topic: string) => {
    const raw = rawJson(body);
    const [sig, top] = HEADERS[platform];
    return call(webhook, httpEvent({ method: 'POST', path: `/webhooks/orders/${platform}/${SHOP}`, body: raw, headers: { [sig]: orderSignature(raw, SECRETS[platform]), [top]: topic } }));
  };
  const view = async (orderId: string) => {
    const res = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/orders/${orderId}`, headers: { authorization: `Bearer ${key}` } }));
    expect(res.status, orderId).toBe(200);
    return res.body as { status: Status; cancelledAt: string | null; deliveredAt: string | null; returnedAt: string | null };
  };
  /** Sends one body under every topic, in a shuffled order; unused topics answer 200 and are ignored. */
  const underEveryTopic = async (platform: Platform, body: unknown, seed: number) => {
    const topics = [...USED, ...UNUSED].map((t, i) => [t, (i * 7919 + seed * 104_729) % 1009] as const).sort((a, b) => a[1] - b[1]).map(([t]) => t);
    for (const topic of topics) {
      const res = await send(platform, body, topic);
      expect(res.status, `${platform} ${topic}`).toBe(200);
      if (UNUSED.includes(topic)) expect(res.body, topic).toEqual({ events: 0, ignored: topic });
    }
  };

  beforeAll(async () => {
    await createTestTable();
    ({ queues, stop } = startTestQueues());
    await putShop(makeShop(SHOP, { pages: [{ pageId: PAGE, channel: 'facebook', name: 'P' }, { pageId: RET_PAGE, channel: 'facebook', name: 'R' }] }));
    key = await createApiKey(SHOP);
    for (const [platform, secret] of Object.entries(SECRETS)) {
      const res = await call(admin, httpEvent({ method: 'PUT', path: `/v1/admin/shops/${SHOP}/order-webhooks/${platform}`, body: { secret }, headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` } }));
      expect(res.status).toBe(204);
    }
  });
  afterAll(() => stop());

  const cases: Array<[Platform, (id: number) => Body[]]> = [
    ['haravan', (id) => haravanBodies(id)],
    ['shopify', shopifyBodies],
    ['sapo', sapoBodies],
  ];

  it.each(cases)('%s: each captured body, replayed under every topic, leaves the state its body shows', async (platform, bodies) => {
    const expected: Array<[string, string, Status]> = [];
    for (const [i, b] of bodies(0).entries()) {
      const id = ++nextId;
      const body = bodies(id)[i]!.body;
      await underEveryTopic(platform, body, i);
      expected.push([b.name, `${platform}:${id}`, b.status]);
    }
    await queues.ingest.drain();
    for (const [name, orderId, status] of expected) expect((await view(orderId)).status, name).toBe(status);
  });

  it('a create body replayed with the topic orders/cancelled (the attack of issue 21) cancels nothing, on any platform', async () => {
    const ids: string[] = [];
    for (const [platform, bodies] of cases) {
      const id = ++nextId;
      const created = bodies(id)[0]!.body;
      expect((await send(platform, created, 'orders/create')).status).toBe(200);
      expect((await send(platform, created, platform === 'sapo' ? 'order/cancel' : 'orders/cancelled')).status).toBe(200);
      ids.push(`${platform}:${id}`);
    }
    await queues.ingest.drain();
    for (const orderId of ids) expect(await view(orderId), orderId).toMatchObject({ status: 'created', cancelledAt: null });
  });

  it.each(cases)('%s: the newest body first, then every older body under every topic: the newest state stays', async (platform, bodies) => {
    const finals = bodies(0).map((b, i) => [b, i] as const).filter(([b]) => b.status !== 'created');
    const expected: Array<[string, string, Status]> = [];
    for (const [final, index] of finals) {
      const id = ++nextId;
      const all = bodies(id);
      expect((await send(platform, all[index]!.body, 'orders/updated')).status).toBe(200);
      await queues.ingest.drain();
      // older bodies: every body before the final one in the order's life, and the plain created one
      for (const [i, older] of all.slice(0, index).entries()) if (older.status === 'created') await underEveryTopic(platform, older.body, i);
      expected.push([final.name, `${platform}:${id}`, final.status]);
    }
    await queues.ingest.drain();
    for (const [name, orderId, status] of expected) expect((await view(orderId)).status, name).toBe(status);
  });

  it('fulfillment bodies count under any topic and say the same as the order that holds them', async () => {
    const cases2: Array<[Platform, Body, Status]> = [
      ['haravan', haravanBodies(++nextId).find((b) => b.name === 'haravan delivered')!, 'delivered'],
      ['haravan', haravanBodies(++nextId).find((b) => b.name === 'haravan returned')!, 'returned'],
      ['shopify', shopifyBodies(++nextId).find((b) => b.name === 'shopify delivered')!, 'delivered'],
      ['shopify', shopifyBodies(++nextId).find((b) => b.name === 'shopify in transit')!, 'created'],
      ['sapo', sapoBodies(++nextId).find((b) => b.name === 'sapo received')!, 'delivered'],
      ['sapo', sapoBodies(++nextId).find((b) => b.name === 'sapo delivery cancelled')!, 'returned'],
    ];
    for (const [i, [platform, b]] of cases2.entries()) {
      const created = { ...b.body, fulfillments: [], ...(platform === 'sapo' ? { received_status: 'unreceived', return_status: 'unreturned', order_returns: [] } : {}) };
      expect((await send(platform, created, 'orders/create')).status).toBe(200);
      await underEveryTopic(platform, fulfillmentOf(b), i);
    }
    await queues.ingest.drain();
    for (const [platform, b, status] of cases2) expect((await view(`${platform}:${b.body.id}`)).status, b.name).toBe(status);
  });

  it('a returned COD parcel is never delivered too: delivered then returned, or the other way round, counts one return and no delivery', async () => {
    const forward = ++nextId;
    const backward = ++nextId;
    const f = haravanBodies(forward, RET_PAGE);
    const b = haravanBodies(backward, RET_PAGE);
    const delivered = (bs: Body[]) => bs.find((x) => x.name === 'haravan delivered')!.body;
    const returned = (bs: Body[]) => bs.find((x) => x.name === 'haravan returned')!.body;
    await send('haravan', delivered(f), 'orders/updated');
    await queues.ingest.drain();
    await send('haravan', returned(f), 'orders/updated');
    await send('haravan', returned(b), 'orders/updated');
    await queues.ingest.drain();
    await send('haravan', delivered(b), 'orders/updated');
    await send('haravan', fulfillmentOf({ name: '', body: delivered(b), status: 'delivered' }), 'fulfillments/update');
    await queues.ingest.drain();
    expect(await view(`haravan:${forward}`)).toMatchObject({ status: 'returned', returnedAt: '2026-11-24T03:00:00.000Z' });
    expect(await view(`haravan:${backward}`)).toMatchObject({ status: 'returned', returnedAt: '2026-11-24T03:00:00.000Z' });
    const [day] = await getRollups(SHOP, RET_PAGE, 'P', 'D', TODAY, TODAY);
    expect(day?.fields).toMatchObject({ ordersCreated: 2, ordersReturned: 2, ordersDelivered: 0 });
  });
});
