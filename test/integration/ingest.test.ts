import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { makeComment, makeMessage, makeOrder, makeOrderTransition, makeReply, makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { getRollups } from '#lib/store/rollups.ts';

const NOW = Date.parse('2026-11-25T12:00:00+07:00');

/** Each test has its own shop; a page belongs to one shop only, so page ids carry the shop id. */
async function shopWithPage(shopId: string): Promise<string> {
  const pageId = `${shopId}-fb`;
  const res = await putShop(makeShop(shopId, { pages: [{ pageId, channel: 'facebook', name: 'Fanpage' }] }));
  expect(res.conflictPage).toBeUndefined();
  return pageId;
}

/** The page-total fields of one rollup item (empty when the item does not exist). */
async function pageDay(shopId: string, pageId: string, day: string): Promise<Record<string, number>> {
  const items = await getRollups(shopId, pageId, 'P', 'D', day, day);
  return items[0]?.fields ?? {};
}

describe('ingest: exactly-once rollups', () => {
  beforeAll(createTestTable);

  it('counts the same webhook delivered three times once', async () => {
    const page = await shopWithPage('dup');
    const msg = makeMessage({ pageId: page, customerId: 'c1' });
    const comment = makeComment({ pageId: page, customerId: 'c2', at: '2026-11-20T10:01:00+07:00' });
    for (let i = 0; i < 3; i++) await recordBatch('dup', [msg, comment], { now: NOW });
    // and once more inside a single batch
    const outcome = await recordBatch('dup', [msg, msg, comment], { now: NOW });
    expect(outcome).toEqual({ applied: 0, duplicates: 3, parked: 0, dropped: [] });
    const f = await pageDay('dup', page, '2026-11-20');
    expect(f.messagesReceived).toBe(1);
    expect(f.commentsReceived).toBe(1);
    expect(f.customersReached).toBe(2);
    expect(f.messageConversations).toBe(1);
    expect(f.newCustomers).toBe(2);
    expect(f.hm10).toBe(1);
    expect(f.hc10).toBe(1);
  });

  it('gives the same figures when a reply is processed before its message', async () => {
    const page = await shopWithPage('order');
    const msg = makeMessage({ pageId: page, at: '2026-11-20T09:00:00+07:00' });
    const reply = makeReply({ pageId: page, at: '2026-11-20T09:03:00+07:00', staffId: 'lan' });
    await recordBatch('order', [reply], { now: NOW });
    await recordBatch('order', [msg], { now: NOW });
    const f = await pageDay('order', page, '2026-11-20');
    expect(f.customersReached).toBe(1);
    expect(f.customersCared).toBe(1);
    const [lan] = await getRollups('order', page, 'S', 'D', '2026-11-20', '2026-11-20');
    expect(lan?.entity).toBe('lan');
    // the wait opened at 09:00 and closed at 09:03: 180 s, one response
    expect(lan?.fields.rtSum).toBe(180);
    expect(lan?.fields.rtCount).toBe(1);
    expect(lan?.fields.messageReplies).toBe(1);
    expect(lan?.fields.conversationsAnswered).toBe(1);
  });

  it('buckets an event at 00:30 +07:00 on the local day, not the UTC one', async () => {
    const page = await shopWithPage('tz');
    // 2026-11-21T00:30+07:00 is 2026-11-20T17:30Z
    await recordBatch('tz', [makeMessage({ pageId: page, at: '2026-11-21T00:30:00+07:00' })], { now: NOW });
    expect((await pageDay('tz', page, '2026-11-21')).messagesReceived).toBe(1);
    expect(await pageDay('tz', page, '2026-11-20')).toEqual({});
    expect((await pageDay('tz', page, '2026-11-21')).hm00).toBe(1);
  });

  it('lowers the creation day when a cancellation arrives two days later', async () => {
    const page = await shopWithPage('cancel');
    const order = makeOrder({ pageId: page, orderId: 'o-1', at: '2026-11-20T11:00:00+07:00', total: 250000, cost: 100000 });
    const kept = makeOrder({ pageId: page, orderId: 'o-2', at: '2026-11-20T12:00:00+07:00', total: 400000, cost: 150000 });
    await recordBatch('cancel', [order, kept], { now: NOW });
    await recordBatch('cancel', [makeOrderTransition('order.cancelled', 'o-1', '2026-11-22T09:00:00+07:00')], { now: NOW });
    const created = await pageDay('cancel', page, '2026-11-20');
    expect(created.ordersCreated).toBe(2);
    expect(created.ordersCancelled).toBe(1);
    expect(created.provisionalRevenueMinor).toBe(650000);
    expect(created.revenueMinor).toBe(400000);
    expect(created.grossProfitMinor).toBe(250000);
    expect(created.funnelOrdered).toBe(1); // cust-1 still has o-2
    expect(await pageDay('cancel', page, '2026-11-22')).toEqual({});
  });

  it('counts a cancellation that arrives before its order once the order exists', async () => {
    const page = await shopWithPage('early-cancel');
    await recordBatch('early-cancel', [makeOrderTransition('order.cancelled', 'o-9', '2026-11-21T09:00:00+07:00')], { now: NOW });
    await recordBatch('early-cancel', [makeOrder({ pageId: page, orderId: 'o-9', total: 100000 })], { now: NOW });
    const f = await pageDay('early-cancel', page, '2026-11-20');
    expect(f.ordersCreated).toBe(1);
    expect(f.ordersCancelled).toBe(1);
    expect(f.revenueMinor ?? 0).toBe(0);
    expect(f.funnelOrdered ?? 0).toBe(0);
  });

  it('drops events for unknown pages and events older than 30 days, keeping the rest', async () => {
    const page = await shopWithPage('drops');
    const ok = makeMessage({ pageId: page });
    const stranger = makeMessage({ pageId: 'not-ours' });
    const old = makeMessage({ pageId: page, at: '2026-10-01T10:00:00+07:00' });
    const outcome = await recordBatch('drops', [ok, stranger, old], { now: NOW });
    expect(outcome.applied).toBe(1);
    expect(outcome.dropped).toEqual([
      { id: stranger.id, reason: 'unknown_page' },
      { id: old.id, reason: 'too_late' },
    ]);
  });

  it('links an order to chat through the phone number the customer gave', async () => {
    const page = await shopWithPage('phone');
    await recordBatch('phone', [makeMessage({ pageId: page, customerId: 'zc', phone: '0912345678' })], { now: NOW });
    await recordBatch('phone', [makeOrder({ pageId: undefined, customerId: undefined, phone: '+84 912 345 678', total: 99000 })], { now: NOW });
    const f = await pageDay('phone', page, '2026-11-20');
    expect(f.ordersCreated).toBe(1);
    expect(f.funnelOrdered).toBe(1);
    expect(await getRollups('phone', '_', 'P', 'D', '2026-11-20', '2026-11-20')).toEqual([]);
  });
});
