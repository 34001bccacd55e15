import { describe, expect, it } from 'vitest';
import { ORDER_PLATFORMS, normalizeOrder, orderHeaders } from '#lib/adapters/orders.ts';
import { PAGE, makeShopifyOrder } from '#test/support/fixtures/platforms.ts';

const CREATED = '2026-11-20T04:00:00.000Z'; // 11:00 +07:00
const UPDATED = '2026-11-23T10:00:00+07:00';
const transition = (kind: string, at: string, platform = 'haravan') => ({ id: `${platform}:450789469:${kind.split('.')[1]}`, kind, at, orderId: `${platform}:450789469` });
const kinds = (platform: 'haravan' | 'sapo' | 'shopify', topic: string, o: Record<string, unknown>) => normalizeOrder(platform, topic, makeShopifyOrder(o)).events.map((e) => e.kind);

describe('orderHeaders', () => {
  it('names each platform’s HMAC and topic headers', () => {
    expect(ORDER_PLATFORMS.map((p) => [p, orderHeaders(p)])).toEqual([
      ['haravan', { hmac: ['X-Haravan-Hmacsha256'], topic: 'X-Haravan-Topic' }],
      ['sapo', { hmac: ['X-Sapo-Hmac-Sha256', 'X-Sapo-Hmacsha256'], topic: 'X-Sapo-Topic' }],
      ['shopify', { hmac: ['X-Shopify-Hmac-Sha256'], topic: 'X-Shopify-Topic' }],
    ]);
  });
});

describe('normalizeOrder: order.created', () => {
  it('carries the chat link from note attributes, exact total, cost of every line and the customer phone', () => {
    expect(normalizeOrder('haravan', 'orders/create', makeShopifyOrder())).toEqual({
      events: [
        {
          id: 'haravan:450789469:created',
          kind: 'order.created',
          at: CREATED,
          orderId: 'haravan:450789469',
          total: 1250000,
          cost: 560000, // 2 × 180000 + 1 × 200000
          pageId: PAGE,
          customerId: '6789',
          staffId: 'lan',
          phone: '0912345678',
          updatedAt: '2026-11-20T04:00:00.000Z', // the body's updated_at: the order's version
        },
      ],
    });
  });

  it('reads ad_id and referral_code, trims names and values, skips empty ones', () => {
    const o = makeShopifyOrder({
      note_attributes: [
        { name: ' Page_ID ', value: ` ${PAGE} ` },
        { name: 'ad_id', value: 2385000001 }, // a number (ids past 2^53 are already rounded by JSON.parse; platforms send them as strings)
        { name: 'referral_code', value: 'MAI10' },
        { name: 'staff_id', value: '' },
        { name: 'customer_id', value: null },
        { name: 'conversation_id', value: 't_123' },
      ],
    });
    expect(normalizeOrder('sapo', 'orders/create', o).events).toEqual([
      { id: 'sapo:450789469:created', kind: 'order.created', at: CREATED, orderId: 'sapo:450789469', total: 1250000, cost: 560000, pageId: PAGE, adId: '2385000001', referralCode: 'MAI10', phone: '0912345678', updatedAt: '2026-11-20T04:00:00.000Z' },
    ]);
  });

  it('has no pageId and no link without note attributes', () => {
    expect(normalizeOrder('shopify', 'orders/create', makeShopifyOrder({ note_attributes: null, customer: null }))).toEqual({
      events: [{ id: 'shopify:450789469:created', kind: 'order.created', at: CREATED, orderId: 'shopify:450789469', total: 1250000, cost: 560000, updatedAt: '2026-11-20T04:00:00.000Z' }],
    });
  });

  it('parses money exactly: decimal strings, numbers and cents without float drift', () => {
    const total = (v: unknown) => (normalizeOrder('haravan', 'orders/create', makeShopifyOrder({ total_price: v })).events[0] as { total: number }).total;
    expect(total('150000.00')).toBe(150000);
    expect(total('150000')).toBe(150000);
    expect(total(150000)).toBe(150000);
    expect(total('19.99')).toBe(19.99);
    expect(total('0')).toBe(0);
    const cents = makeShopifyOrder({ total_price: '18.99', line_items: [{ quantity: 3, price: '6.33', cost: '6.33' }] });
    expect(normalizeOrder('shopify', 'orders/create', cents).events[0]).toMatchObject({ total: 18.99, cost: 18.99 }); // 3 * 6.33 is 18.990000000000002 in floats
    const mixedScale = makeShopifyOrder({ line_items: [{ quantity: 1, cost: '0.1' }, { quantity: 2, cost: '0.25' }] });
    expect(normalizeOrder('shopify', 'orders/create', mixedScale).events[0]).toMatchObject({ cost: 0.6 });
  });

  it('omits cost when a line has none, or there are no lines', () => {
    const noCost = makeShopifyOrder({ line_items: [{ quantity: 2, price: '400000', cost: '180000' }, { quantity: 1, price: '420000' }] });
    expect(normalizeOrder('sapo', 'orders/create', noCost).events[0]).not.toHaveProperty('cost');
    expect(normalizeOrder('sapo', 'orders/create', makeShopifyOrder({ line_items: [] })).events[0]).not.toHaveProperty('cost');
    const nullCost = makeShopifyOrder({ line_items: [{ quantity: 1, price: '100000', cost: null }] });
    expect(normalizeOrder('sapo', 'orders/create', nullCost).events[0]).not.toHaveProperty('cost');
  });

  it('takes the phone from order, customer, billing then shipping address, normalised', () => {
    const phone = (o: Record<string, unknown>) => (normalizeOrder('haravan', 'orders/create', makeShopifyOrder(o)).events[0] as { phone?: string }).phone;
    expect(phone({ phone: '0987 654 321' })).toBe('0987654321');
    expect(phone({ phone: '', customer: { phone: null }, billing_address: { phone: '+84 905-123-456' } })).toBe('0905123456');
    expect(phone({ customer: {}, shipping_address: { phone: '84 912 345 678' } })).toBe('0912345678');
    expect(phone({ customer: null })).toBeUndefined();
  });
});

describe('normalizeOrder: later states', () => {
  it('adds order.cancelled at cancelled_at on any topic', () => {
    const { events } = normalizeOrder('shopify', 'orders/updated', makeShopifyOrder({ cancelled_at: '2026-11-22T09:00:00+07:00', updated_at: UPDATED }));
    expect(events.slice(1)).toEqual([transition('order.cancelled', '2026-11-22T02:00:00.000Z', 'shopify')]);
  });

  it('adds order.cancelled at updated_at for Sapo status and Haravan cancelled_status; the orders/cancelled topic alone (unsigned) cancels nothing', () => {
    const at = '2026-11-23T03:00:00.000Z';
    expect(normalizeOrder('haravan', 'orders/cancelled', makeShopifyOrder({ updated_at: UPDATED })).events.map((e) => e.kind)).toEqual(['order.created']);
    expect(normalizeOrder('sapo', 'orders/updated', makeShopifyOrder({ updated_at: UPDATED, status: 'cancelled' })).events.slice(1)).toEqual([transition('order.cancelled', at, 'sapo')]);
    expect(normalizeOrder('haravan', 'orders/updated', makeShopifyOrder({ updated_at: UPDATED, cancelled_status: 'cancelled' })).events.slice(1)).toEqual([transition('order.cancelled', at)]);
    expect(kinds('haravan', 'orders/updated', { cancelled_status: 'uncancelled' })).toEqual(['order.created']);
  });

  it('does not take orders/fulfilled or fulfillment_status fulfilled for delivered (handed to the carrier is not delivered)', () => {
    expect(kinds('haravan', 'orders/fulfilled', { updated_at: UPDATED })).toEqual(['order.created']);
    expect(kinds('haravan', 'orders/updated', { updated_at: UPDATED, fulfillment_status: 'fulfilled' })).toEqual(['order.created']);
  });

  it('adds order.delivered from a delivered fulfillment (Shopify shipment_status, Haravan carrier status), at its own time', () => {
    const shopify = makeShopifyOrder({ fulfillments: [{ id: 1, status: 'success', shipment_status: 'delivered', updated_at: '2026-11-22T15:30:00+07:00' }] });
    expect(normalizeOrder('shopify', 'orders/updated', shopify).events.slice(1)).toEqual([transition('order.delivered', '2026-11-22T08:30:00.000Z', 'shopify')]);
    const haravan = makeShopifyOrder({ fulfillments: [{ id: 2, carrier_status_code: 'delivered', delivered_date: '2026-11-22T04:00:00Z', updated_at: '2026-11-22T05:00:00Z' }] });
    expect(normalizeOrder('haravan', 'orders/updated', haravan).events.slice(1)).toEqual([transition('order.delivered', '2026-11-22T04:00:00.000Z')]);
    expect(kinds('haravan', 'orders/updated', { fulfillments: [{ carrier_status_code: 'delivering' }] })).toEqual(['order.created']);
    expect(kinds('shopify', 'orders/updated', { fulfillment_status: 'partial', fulfillments: [{ shipment_status: 'in_transit' }] })).toEqual(['order.created']);
  });

  it('adds order.returned for a full refund of an order that was not cancelled', () => {
    expect(normalizeOrder('haravan', 'orders/updated', makeShopifyOrder({ updated_at: UPDATED, financial_status: 'refunded' })).events.slice(1)).toEqual([
      transition('order.returned', '2026-11-23T03:00:00.000Z'),
    ]);
    // a cancelled, prepaid order refunded: nothing came back
    expect(kinds('haravan', 'orders/cancelled', { financial_status: 'refunded', cancelled_at: UPDATED })).toEqual(['order.created', 'order.cancelled']);
  });

  it('adds order.returned for a refund that restocked returned lines, at the refund time', () => {
    const returned = makeShopifyOrder({
      financial_status: 'partially_refunded',
      refunds: [{ id: 9, created_at: '2026-11-25T10:00:00+07:00', refund_line_items: [{ line_item_id: 1, quantity: 1, restock_type: 'return' }] }],
    });
    expect(normalizeOrder('shopify', 'orders/updated', returned).events.slice(1)).toEqual([transition('order.returned', '2026-11-25T03:00:00.000Z', 'shopify')]);
    const haravan = makeShopifyOrder({ refunds: [{ id: 9, created_at: '2026-11-25T03:00:00Z', restock: 'true', refund_line_items: [{ line_item_id: 1, quantity: 1 }] }] });
    expect(normalizeOrder('haravan', 'orders/updated', haravan).events.slice(1)).toEqual([transition('order.returned', '2026-11-25T03:00:00.000Z')]);
  });

  it('does not count refunds without restocked returns as returns', () => {
    expect(kinds('shopify', 'orders/updated', { financial_status: 'partially_refunded', refunds: [{ id: 9, refund_line_items: [] }] })).toEqual(['order.created']);
    expect(kinds('shopify', 'orders/updated', { refunds: [{ id: 9, restock: false, refund_line_items: [{ restock_type: 'no_restock' }, { restock_type: 'cancel' }] }] })).toEqual([
      'order.created',
    ]);
  });

  it('adds order.returned for a carrier return (Haravan)', () => {
    const o = makeShopifyOrder({ fulfillments: [{ id: 2, carrier_status_code: 'return', return_date: '2026-11-26T02:00:00Z' }] });
    expect(normalizeOrder('haravan', 'orders/updated', o).events.slice(1)).toEqual([transition('order.returned', '2026-11-26T02:00:00.000Z')]);
  });

  it('gives the same ids for the same state whatever topic re-sends it', () => {
    const state = makeShopifyOrder({ updated_at: UPDATED, cancelled_at: UPDATED, fulfillments: [{ shipment_status: 'delivered' }] });
    const a = normalizeOrder('haravan', 'orders/updated', state).events;
    const b = normalizeOrder('haravan', 'orders/cancelled', state).events;
    expect(a.map((e) => e.id)).toEqual(['haravan:450789469:created', 'haravan:450789469:cancelled', 'haravan:450789469:delivered']);
    expect(b).toEqual(a);
  });

  it('accepts topics in any case and with spaces, and orders/paid like orders/updated', () => {
    expect(kinds('haravan', ' Orders/Create ', {})).toEqual(['order.created']);
    expect(normalizeOrder('haravan', 'orders/paid', makeShopifyOrder({ financial_status: 'paid' })).events).toEqual(normalizeOrder('haravan', 'orders/updated', makeShopifyOrder({ financial_status: 'paid' })).events);
  });
});

describe('normalizeOrder: validation', () => {
  const invalid = (payload: unknown, path: string) => {
    expect(() => normalizeOrder('haravan', 'orders/create', payload)).toThrowError(
      expect.objectContaining({ name: 'ValidationError', status: 400, details: expect.arrayContaining([expect.objectContaining({ path })]) }),
    );
  };

  it.each([[null], ['order'], [42], [[makeShopifyOrder()]]])('rejects the non-object payload %j', (payload) => invalid(payload, ''));

  it.each([['id'], ['created_at'], ['total_price']])('names a missing %s', (field) => {
    const o: Record<string, unknown> = makeShopifyOrder();
    delete o[field];
    invalid(o, field);
  });

  it('names an invalid total, a negative one, and a creation time without offset', () => {
    invalid(makeShopifyOrder({ total_price: 'lots' }), 'total_price');
    invalid(makeShopifyOrder({ total_price: '-5000' }), 'total_price');
    invalid(makeShopifyOrder({ total_price: '1e6' }), 'total_price');
    invalid(makeShopifyOrder({ created_at: '2026-11-20 11:00:00' }), 'created_at');
    invalid(makeShopifyOrder({ created_at: 'yesterday' }), 'created_at');
    invalid(makeShopifyOrder({ id: '' }), 'id');
  });

  it('rejects amounts beyond the canonical model', () => {
    invalid(makeShopifyOrder({ total_price: '100000000000000' }), 'total');
  });

  it('ignores topics it does not use instead of refusing them', () => {
    expect(normalizeOrder('haravan', 'products/create', makeShopifyOrder())).toEqual({ events: [], ignored: 'products/create' });
    expect(normalizeOrder('shopify', 'orders/edited', { order_edit: {} })).toEqual({ events: [], ignored: 'orders/edited' });
  });
});
