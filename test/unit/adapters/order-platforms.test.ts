import { describe, expect, it } from 'vitest';
import { normalizeOrder, orderTopicOf, parseDecimal, parseOrderJson, scopeToShop, type CostLookup } from '#lib/adapters/orders.ts';
import { PAGE } from '#test/support/fixtures/platforms.ts';
import { makeHaravanOrder, type HaravanCarrier } from '#test/support/fixtures/haravan-orders.ts';
import { makeShopifyWebhookOrder, type ShipmentStatus } from '#test/support/fixtures/shopify-orders.ts';
import { makeSapoGoOrder, type SapoStage } from '#test/support/fixtures/sapo-orders.ts';
import { rawJson } from '#test/support/fixtures/raw-json.ts';

const costs = (byVariant: Record<string, string>, bySku: Record<string, string> = {}): CostLookup => ({
  byVariant: new Map(Object.entries(byVariant).map(([k, v]) => [k, parseDecimal(v)!])),
  bySku: new Map(Object.entries(bySku).map(([k, v]) => [k, parseDecimal(v)!])),
});
/** kind → at of the events after order.created */
const later = (events: Array<{ kind: string; at: string }>) => Object.fromEntries(events.slice(1).map((e) => [e.kind, e.at]));

describe('parseOrderJson', () => {
  it('keeps integers past 2^53 and long decimals as their exact text, leaves strings and small numbers alone', () => {
    const raw = '{"id":9007199254740993,"a":"x\\"9007199254740993","n":-12345678901234567.25,"small":42,"f":0.5,"e":1e21,"list":[1234567890123456789]}';
    expect(parseOrderJson(raw)).toEqual({ id: '9007199254740993', a: 'x"9007199254740993', n: '-12345678901234567.25', small: 42, f: 0.5, e: 1e21, list: ['1234567890123456789'] });
    expect(JSON.parse(raw).id).toBe(9007199254740992); // what a plain parse would have kept
  });

  it('answers 400 for a body that is not JSON', () => {
    expect(() => parseOrderJson('{"id": 1,')).toThrowError(expect.objectContaining({ status: 400 }));
  });
});

describe('orderTopicOf', () => {
  it('maps the platforms’ spellings to ours and nothing else', () => {
    expect(['orders/create', ' Orders/Updated ', 'orders/update', 'order/update', 'orders/paid', 'orders/cancelled', 'orders/fulfilled', 'orders/partially_fulfilled'].map(orderTopicOf)).toEqual([
      'orders/create', 'orders/updated', 'orders/updated', 'orders/updated', 'orders/paid', 'orders/cancelled', 'orders/fulfilled', 'orders/partially_fulfilled',
    ]);
    expect(['products/create', 'orders/delete', 'customers/create', 'fulfillments/update', ''].map(orderTopicOf)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('Haravan orders (fixture from the Order/Fulfillment API shape)', () => {
  const CREATED = { id: 'haravan:1001234567:created', kind: 'order.created', at: '2026-11-20T03:15:00.000Z', orderId: 'haravan:1001234567', total: 450000, pageId: PAGE, customerId: '6789', staffId: 'lan', phone: '0912345678', updatedAt: '2026-11-20T03:15:00.000Z' };

  it('makes order.created without cost (Haravan lines carry none)', () => {
    expect(normalizeOrder('haravan', 'orders/create', makeHaravanOrder()).events).toEqual([CREATED]);
  });

  it('takes the cost of lines without one from the cost table: variant id first, then SKU', () => {
    // 2 × 90000 (variant 1045678901) + 1 × 70000 (SKU MU-LEN) = 250000
    const table = costs({ '1045678901': '90000' }, { 'MU-LEN': '70000', 'AO-KHOAC-M': '1' });
    expect(normalizeOrder('haravan', 'orders/create', makeHaravanOrder(), table).events).toEqual([{ ...CREATED, cost: 250000 }]);
    // one line still unknown: no cost at all, rather than a wrong one
    expect(normalizeOrder('haravan', 'orders/create', makeHaravanOrder(), costs({ '1045678901': '90000' })).events[0]).not.toHaveProperty('cost');
  });

  it.each<[HaravanCarrier, Record<string, string>]>([
    ['readytopick', {}],
    ['delivering', {}],
    ['waitingforreturn', {}],
    ['delivered', { 'order.delivered': '2026-11-21T07:45:00.000Z' }],
    ['return', { 'order.returned': '2026-11-24T03:00:00.000Z' }],
  ])('carrier status %s (fulfilled with the carrier) gives %j', (carrier, expected) => {
    expect(later(normalizeOrder('haravan', 'orders/updated', makeHaravanOrder({ carrier })).events)).toEqual(expected);
  });

  it('a returned COD parcel is returned, never delivered too, even with a delivered date', () => {
    const order = makeHaravanOrder({ carrier: 'return' });
    order.fulfillments[0]!.delivered_date = '2026-11-21T07:45:00Z';
    expect(later(normalizeOrder('haravan', 'orders/updated', order).events)).toEqual({ 'order.returned': '2026-11-24T03:00:00.000Z' });
  });

  it('a cancelled order is cancelled at cancelled_at', () => {
    expect(later(normalizeOrder('haravan', 'orders/cancelled', makeHaravanOrder({ cancelled: true })).events)).toEqual({ 'order.cancelled': '2026-11-20T06:00:00.000Z' });
  });
});

describe('Shopify orders (fixture from the REST Order resource)', () => {
  it('makes order.created with exact decimal strings and the customer phone', () => {
    expect(normalizeOrder('shopify', 'orders/create', makeShopifyWebhookOrder()).events).toEqual([
      { id: 'shopify:5678901234567:created', kind: 'order.created', at: '2026-11-20T07:30:00.000Z', orderId: 'shopify:5678901234567', total: 920000, pageId: PAGE, customerId: '6789', staffId: 'lan', phone: '0905123456', updatedAt: '2026-11-20T07:30:00.000Z' },
    ]);
  });

  it('is delivered only at shipment_status delivered', () => {
    for (const shipment of ['confirmed', 'in_transit', 'out_for_delivery', 'failure'] as ShipmentStatus[]) {
      expect(normalizeOrder('shopify', 'orders/fulfilled', makeShopifyWebhookOrder({ shipment })).events.map((e) => e.kind), shipment).toEqual(['order.created']);
    }
    expect(later(normalizeOrder('shopify', 'orders/updated', makeShopifyWebhookOrder({ shipment: 'delivered' })).events)).toEqual({ 'order.delivered': '2026-11-22T02:10:00.000Z' });
  });

  it('keeps every digit of ids past 2^53 sent as JSON numbers, order and variant ids alike', () => {
    const raw = rawJson(makeShopifyWebhookOrder({ id: 9007199254740993n, line_items: [{ id: 1n, variant_id: 1234567890123456789n, sku: 'X', quantity: 3, price: '300000.00' }] }));
    expect(raw).toContain('"id":9007199254740993,');
    // cost from the table, by the exact variant id: 3 × 12.5 = 37.5
    const { events } = normalizeOrder('shopify', 'orders/create', parseOrderJson(raw), costs({ '1234567890123456789': '12.5', '1234567890123456800': '999' }));
    expect(events[0]).toMatchObject({ id: 'shopify:9007199254740993:created', orderId: 'shopify:9007199254740993', cost: 37.5 });
  });
});

describe('fulfillment webhooks (fulfillments/create, fulfillments/update)', () => {
  const shopifyFulfillment = (shipment_status: string) => ({ ...makeShopifyWebhookOrder({ shipment: 'in_transit' }).fulfillments[0]!, shipment_status });

  it('give the order’s delivered event, with the same id as the order webhook, only once the parcel is delivered', () => {
    expect(normalizeOrder('shopify', 'fulfillments/update', shopifyFulfillment('in_transit'))).toEqual({ events: [] });
    expect(normalizeOrder('shopify', 'fulfillments/update', shopifyFulfillment('delivered'))).toEqual({
      events: [{ id: 'shopify:5678901234567:delivered', kind: 'order.delivered', at: '2026-11-22T02:10:00.000Z', orderId: 'shopify:5678901234567' }],
    });
    const order = normalizeOrder('shopify', 'orders/updated', makeShopifyWebhookOrder({ shipment: 'delivered' })).events[1];
    expect(order).toEqual(normalizeOrder('shopify', 'fulfillments/update', shopifyFulfillment('delivered')).events[0]);
  });

  it('give returned for a Haravan carrier return, and 400 without an order_id', () => {
    const f = makeHaravanOrder({ carrier: 'return' }).fulfillments[0]!;
    expect(normalizeOrder('haravan', 'fulfillments/update', f).events).toEqual([{ id: 'haravan:1001234567:returned', kind: 'order.returned', at: '2026-11-24T03:00:00.000Z', orderId: 'haravan:1001234567' }]);
    const { order_id: _, ...orphan } = f;
    // without its order_id the body is no fulfillment, and not an order either (no total)
    expect(() => normalizeOrder('haravan', 'fulfillments/update', orphan)).toThrowError(expect.objectContaining({ status: 400, details: [expect.objectContaining({ path: 'total_price' })] }));
  });
});

describe('Sapo GO orders (fixture from public samples; topic orders/update)', () => {
  const CREATED = { id: 'sapo:14900465:created', kind: 'order.created', at: '2026-11-20T02:05:57.000Z', orderId: 'sapo:14900465', total: 1400000, phone: '0987654321', updatedAt: '2026-11-20T04:00:00.000Z' };

  it('reads code-era fields: created_on, total, order_line_items, customer_data.phone_number', () => {
    expect(normalizeOrder('sapo', 'orders/update', makeSapoGoOrder()).events).toEqual([CREATED]);
    expect(normalizeOrder('sapo', 'orders/update', makeSapoGoOrder(), costs({ '4653234': '950000' })).events).toEqual([{ ...CREATED, cost: 950000 }]);
  });

  it.each<[SapoStage, Record<string, string>]>([
    ['finalized', {}],
    ['shipped', {}],
    ['received', { 'order.delivered': '2026-11-22T06:30:00.000Z' }],
    ['delivery_cancelled', { 'order.returned': '2026-11-23T02:00:00.000Z' }],
    ['returned', { 'order.delivered': '2026-11-22T06:30:00.000Z', 'order.returned': '2026-11-25T04:38:48.000Z' }],
  ])('stage %s gives %j', (stage, expected) => {
    expect(later(normalizeOrder('sapo', 'orders/update', makeSapoGoOrder({ stage })).events)).toEqual(expected);
  });

  it('is cancelled by status cancelled, at modified_on', () => {
    expect(later(normalizeOrder('sapo', 'orders/update', makeSapoGoOrder({ status: 'cancelled', modified_on: '2026-11-21T01:00:00Z' })).events)).toEqual({ 'order.cancelled': '2026-11-21T01:00:00.000Z' });
  });

  it('names created_at and total_price when neither spelling is there', () => {
    const o: Record<string, unknown> = makeSapoGoOrder();
    delete o.created_on;
    delete o.total;
    expect(() => normalizeOrder('sapo', 'orders/create', o)).toThrowError(
      expect.objectContaining({ status: 400, details: [expect.objectContaining({ path: 'created_at' }), expect.objectContaining({ path: 'total_price' })] }),
    );
  });
});

describe('scopeToShop', () => {
  const shop = { pages: [{ pageId: PAGE }], staff: [{ staffId: 'lan' }] };
  const created = (notes: Record<string, string>) => ({ id: 'x:1:created', kind: 'order.created', at: '2026-11-20T03:15:00.000Z', orderId: 'x:1', total: 1, ...notes }) as never;

  it('drops a page of another shop (with its customer) and a staff id that is not the shop’s', () => {
    expect(scopeToShop([created({ pageId: '999', customerId: 'c', staffId: 'ghost', adId: 'ad1' })], shop)).toEqual([created({ adId: 'ad1' })]);
    expect(scopeToShop([created({ pageId: PAGE, customerId: 'c', staffId: 'lan' })], shop)).toEqual([created({ pageId: PAGE, customerId: 'c', staffId: 'lan' })]);
  });
});
