import { describe, expect, it } from 'vitest';
import { metaPageIds, normalizeMeta } from '#lib/adapters/meta.ts';
import { normalizeZalo, zaloPageIds } from '#lib/adapters/zalo.ts';
import { normalizeOrder } from '#lib/adapters/orders.ts';
import { extractVietnamesePhone } from '#lib/adapters/phone.ts';
import { IG, OA, PAGE, makeFeedComment, makeMetaEcho, makeMetaMessage, makeShopifyOrder, makeZalo } from '#test/support/fixtures/platforms.ts';
import type { ShopContext } from '#lib/adapters/types.ts';

const shops = new Map<string, ShopContext>([
  [PAGE, { shopId: 'hoa-mai', automationAppIds: ['263902037430900'] }],
  [IG, { shopId: 'hoa-mai', automationAppIds: [] }],
  [OA, { shopId: 'hoa-mai', automationAppIds: [], staffAccounts: new Map([['admin-77', 'lan']]) }],
]);

describe('Meta', () => {
  it('turns a customer message into message.received, with the phone it mentions and never the text', () => {
    const r = normalizeMeta(makeMetaMessage({ text: 'sđt em 0912 345 678 nhé' }), shops);
    expect(r.events).toEqual([
      {
        shopId: 'hoa-mai',
        event: { id: 'meta:m_AbC123', kind: 'message.received', at: '2026-11-20T03:00:00.000Z', pageId: PAGE, customerId: '6789', phone: '0912345678' },
      },
    ]);
    expect(JSON.stringify(r)).not.toContain('sđt');
  });

  it('attributes echoes: staff metadata, auto metadata, automation app, otherwise unknown staff', () => {
    const at = '2026-11-20T03:04:00.000Z';
    const base = { kind: 'reply.sent', at, pageId: PAGE, customerId: '6789', via: 'message' };
    expect(normalizeMeta(makeMetaEcho({ metadata: 'staff:lan' }), shops).events[0]!.event).toEqual({ id: 'meta:m_echo1', ...base, automated: false, staffId: 'lan' });
    expect(normalizeMeta(makeMetaEcho({ metadata: 'auto:welcome-flow' }), shops).events[0]!.event).toEqual({ id: 'meta:m_echo1', ...base, automated: true });
    expect(normalizeMeta(makeMetaEcho({ appId: 263902037430900 }), shops).events[0]!.event).toEqual({ id: 'meta:m_echo1', ...base, automated: true });
    expect(normalizeMeta(makeMetaEcho({}), shops).events[0]!.event).toEqual({ id: 'meta:m_echo1', ...base, automated: false });
  });

  it('keeps the ad of a click-to-Messenger referral, and turns a bare ad referral into the start of a conversation', () => {
    const withAd = normalizeMeta(makeMetaMessage({ referral: { source: 'ADS', type: 'OPEN_THREAD', ad_id: '2385001' } }), shops);
    expect(withAd.events[0]!.event).toMatchObject({ kind: 'message.received', adId: '2385001' });
    const organic = normalizeMeta(makeMetaMessage({ referral: { source: 'SHORTLINK', ref: 'x' } }), shops);
    expect(organic.events[0]!.event).not.toHaveProperty('adId');
    const bare = {
      object: 'page',
      entry: [{ id: PAGE, time: 1, messaging: [{ sender: { id: '6789' }, recipient: { id: PAGE }, timestamp: 1763607600000, referral: { source: 'ADS', type: 'OPEN_THREAD', ad_id: '2385001' } }] }],
    };
    expect(normalizeMeta(bare, shops).events[0]!.event).toEqual({
      id: `meta:ref:${PAGE}:6789:1763607600000`,
      kind: 'message.received',
      at: new Date(1763607600000).toISOString(),
      pageId: PAGE,
      customerId: '6789',
      adId: '2385001',
    });
  });

  it('turns feed comments into comment.received and the page\'s own replies into pending comment replies', () => {
    const c = normalizeMeta(makeFeedComment({ message: 'gọi em 0987.654.321' }), shops);
    expect(c.events[0]!.event).toEqual({
      id: 'meta:555_777',
      kind: 'comment.received',
      at: '2026-11-20T13:01:00.000Z',
      pageId: PAGE,
      customerId: '24242424',
      commentId: '555_777',
      postId: `${PAGE}_555`,
      phone: '0987654321',
    });
    const reply = normalizeMeta(makeFeedComment({ from: PAGE, commentId: '555_778', parentId: '555_777' }), shops);
    expect(reply.events).toEqual([]);
    expect(reply.commentReplies).toEqual([
      { shopId: 'hoa-mai', parentCommentId: '555_777', event: { id: 'meta:555_778', kind: 'reply.sent', at: '2026-11-20T13:01:00.000Z', pageId: PAGE, via: 'comment', automated: false } },
    ]);
  });

  it('reads Instagram messaging like Messenger', () => {
    const r = normalizeMeta(makeMetaMessage({ object: 'instagram', page: IG, psid: 'igsid-1', mid: 'aWdfZA' }), shops);
    expect(r.events[0]!.event).toMatchObject({ id: 'meta:aWdfZA', kind: 'message.received', pageId: IG, customerId: 'igsid-1' });
  });

  it('lists unregistered pages and emits nothing for them', () => {
    const r = normalizeMeta(makeMetaMessage({ page: '999' }), shops);
    expect(metaPageIds(makeMetaMessage({ page: '999' }))).toEqual(['999']);
    expect(r).toMatchObject({ events: [], unknownPages: ['999'] });
  });

  it('rejects a payload that is not a Meta batch', () => {
    expect(() => normalizeMeta({ hello: 1 }, shops)).toThrow('Not a Meta webhook payload');
  });
});

describe('Zalo', () => {
  it('maps user_send_* to messages and oa_send_* to replies with the staff of the admin account', () => {
    expect(zaloPageIds(makeZalo())).toEqual([OA]);
    expect(normalizeZalo(makeZalo({ text: 'số em +84 912 345 678' }), shops).events[0]!.event).toEqual({
      id: 'zalo:zmsg-001',
      kind: 'message.received',
      at: '2026-11-20T02:30:00.000Z',
      pageId: OA,
      customerId: '2468135790',
      phone: '0912345678',
    });
    const reply = normalizeZalo(makeZalo({ event: 'oa_send_text', msgId: 'zr-1', adminId: 'admin-77' }), shops);
    expect(reply.events[0]!.event).toEqual({ id: 'zalo:zr-1', kind: 'reply.sent', at: '2026-11-20T02:30:00.000Z', pageId: OA, customerId: '2468135790', via: 'message', automated: false, staffId: 'lan' });
    const unknownStaff = normalizeZalo(makeZalo({ event: 'oa_send_text', msgId: 'zr-2' }), shops);
    expect(unknownStaff.events[0]!.event).not.toHaveProperty('staffId');
  });

  it('makes a follower known without a metric', () => {
    const r = normalizeZalo({ app_id: '1', oa_id: OA, event_name: 'follow', follower: { id: 'u-9' }, timestamp: '1763607600000' }, shops);
    expect(r.events).toEqual([]);
    expect(r.knownCustomers).toEqual([{ shopId: 'hoa-mai', pageId: OA, customerId: 'u-9', at: new Date(1763607600000).toISOString() }]);
  });
});

describe('orders', () => {
  it('creates order.created with the chat link, exact money and cost from every line', () => {
    const { events, pageId } = normalizeOrder('haravan', 'orders/create', makeShopifyOrder());
    expect(pageId).toBe('101000000000001');
    expect(events).toEqual([
      {
        id: 'haravan:450789469:created',
        kind: 'order.created',
        at: '2026-11-20T04:00:00.000Z',
        orderId: 'haravan:450789469',
        total: 1250000,
        cost: 2 * 180000 + 200000,
        pageId: '101000000000001',
        customerId: '6789',
        staffId: 'lan',
        phone: '0912345678',
      },
    ]);
  });

  it('omits cost when a line has none, and adds cancelled, delivered and returned states', () => {
    const noCost = makeShopifyOrder({ line_items: [{ quantity: 1, price: '100000' }] });
    expect(normalizeOrder('sapo', 'orders/create', noCost).events[0]).not.toHaveProperty('cost');
    const cancelled = normalizeOrder('shopify', 'orders/cancelled', makeShopifyOrder({ cancelled_at: '2026-11-22T09:00:00+07:00' })).events;
    expect(cancelled.map((e) => [e.id, e.kind, e.at])).toEqual([
      ['shopify:450789469:created', 'order.created', '2026-11-20T04:00:00.000Z'],
      ['shopify:450789469:cancelled', 'order.cancelled', '2026-11-22T02:00:00.000Z'],
    ]);
    const fulfilled = normalizeOrder('haravan', 'orders/fulfilled', makeShopifyOrder({ updated_at: '2026-11-23T10:00:00+07:00' })).events;
    expect(fulfilled[1]).toEqual({ id: 'haravan:450789469:delivered', kind: 'order.delivered', at: '2026-11-23T03:00:00.000Z', orderId: 'haravan:450789469' });
    const refunded = normalizeOrder('haravan', 'orders/updated', makeShopifyOrder({ financial_status: 'refunded' })).events;
    expect(refunded.map((e) => e.kind)).toEqual(['order.created', 'order.returned']);
  });

  it('names the field of an invalid order and refuses unknown topics', () => {
    expect(() => normalizeOrder('haravan', 'orders/create', { id: 1, created_at: '2026-11-20', total_price: 'lots' })).toThrowError(
      expect.objectContaining({ status: 400, details: [{ path: 'total_price', message: 'expected a decimal amount' }] }),
    );
    expect(() => normalizeOrder('haravan', 'products/create', makeShopifyOrder())).toThrow('Unsupported order topic');
  });
});

describe('Vietnamese phone numbers in chat', () => {
  it.each([
    ['0912345678', '0912345678'],
    ['sđt: 0912 345 678', '0912345678'],
    ['0912.345.678 nha shop', '0912345678'],
    ['+84 912 345 678', '0912345678'],
    ['84912345678', '0912345678'],
    ['gọi 0387-654-321', '0387654321'],
  ])('finds %s', (text, expected) => expect(extractVietnamesePhone(text)).toBe(expected));
  it.each([['giá 150000'], ['1.250.000đ'], ['đơn #1002003004005'], ['0212345678'], ['mã 123456789']])('ignores %s', (text) =>
    expect(extractVietnamesePhone(text)).toBeUndefined(),
  );
});
