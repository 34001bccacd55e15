import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { makeZaloSubmitInfo, zaloSign } from '#test/support/fixtures/platforms.ts';
import { startTestQueues } from '#test/support/queues.ts';
import type { LocalQueues } from '../../scripts/local/queues.ts';
import { handler as webhook } from '#functions/webhook/handler.ts';
import { putShop } from '#lib/store/shops.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { buildReport } from '#lib/reports/build.ts';
import { reportQuerySchema } from '#lib/reports/query.ts';
import { rebuildRollups } from '#lib/admin/rebuild.ts';
import { getOrderView } from '#lib/orders/view.ts';
import { db, setDb, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { faultyClient } from '#test/support/faults.ts';
import type { CanonicalEvent, EventOf } from '#lib/events/schema.ts';
import type { PhoneLink } from '#lib/queue/queue.ts';
import type { Shop } from '#lib/shops/schema.ts';
import type { AdsReport, OverviewReport, ReportName, StaffSalesReport } from '#lib/reports/types.ts';

/**
 * An order that names no conversation but carries the customer's phone links
 * to the conversation that gave that phone — typed in chat or submitted
 * through a Zalo form — whatever arrives first, in the same delivery or days
 * apart (SPEC §1.2, §1.3, §2). When several conversations gave the phone, the
 * one that gave it earliest (by event time) holds it. Expected figures are
 * computed by hand in the comments. Zone Asia/Ho_Chi_Minh (+07:00).
 */

const NOW = Date.parse('2026-11-25T12:00:00+07:00');
const at = (day: number, hm: string) => `2026-11-${day}T${hm}:00+07:00`;

async function newShop(shopId: string): Promise<{ shop: Shop; fb: string; zl: string }> {
  const fb = `${shopId}-fb`;
  const zl = `${shopId}-zl`;
  const shop = makeShop(shopId, {
    pages: [
      { pageId: fb, channel: 'facebook', name: 'Fanpage' },
      { pageId: zl, channel: 'zalo', name: 'Zalo OA' },
    ],
  });
  expect(await putShop(shop)).toEqual({});
  return { shop, fb, zl };
}

async function report<R>(name: ReportName, shop: Shop, from: string, to: string, extra: Record<string, unknown> = {}): Promise<R> {
  return (await buildReport(name, shop, reportQuerySchema.parse({ from, to, ...extra }), { now: NOW })) as R;
}
const overview = (shop: Shop, from: string, to: string, pageId?: string) => report<OverviewReport>('overview', shop, from, to, pageId ? { pageId } : {});
const sales = async (shop: Shop, from: string, to: string, staffId: string) => (await report<StaffSalesReport>('staff-sales', shop, from, to)).rows.find((r) => r.staffId === staffId);
/** The order fields of an overview's totals. */
const orderTotals = (r: OverviewReport) => {
  const { ordersCreated, ordersCancelled, orders, ordersDelivered, revenue, provisionalRevenue, grossProfit } = r.totals;
  return { ordersCreated, ordersCancelled, orders, ordersDelivered, revenue, provisionalRevenue, grossProfit };
};
// grossProfit is null where no order has a known cost (SPEC v3 §3), as for these orders, which carry none
const noOrders = { ordersCreated: 0, ordersCancelled: 0, orders: 0, ordersDelivered: 0, revenue: 0, provisionalRevenue: 0, grossProfit: null };

const message = (o: { id: string; pageId: string; customerId: string; at: string; phone?: string; adId?: string }): EventOf<'message.received'> => ({ kind: 'message.received', ...o });
/** An order webhook that names no page or customer, only the buyer's phone (in the platform's own format). */
const phoneOrder = (o: { id: string; orderId: string; at: string; phone: string; total: number; cost?: number; staffId?: string }): EventOf<'order.created'> => ({ kind: 'order.created', ...o });

describe('orders linked by phone, in any order of arrival', () => {
  beforeAll(createTestTable);

  it('links an order listed before the phone in the same delivery', async () => {
    const { shop, fb } = await newShop('pj-same');
    const order = phoneOrder({ id: 'o1', orderId: 'haravan:1001', at: at(20, '11:00'), phone: '+84 912 000 001', total: 350000, cost: 150000, staffId: 'lan' });
    const msg = message({ id: 'm1', pageId: fb, customerId: 'c1', at: at(20, '10:00'), phone: '0912 000 001' });
    const reply: CanonicalEvent = { id: 'r1', kind: 'reply.sent', at: at(20, '10:05'), pageId: fb, customerId: 'c1', via: 'message', automated: false, staffId: 'lan' };

    const outcome = await recordBatch('pj-same', [order, msg, reply], { now: NOW });

    expect(outcome).toMatchObject({ applied: 3, duplicates: 0, dropped: [] });
    const page = await overview(shop, '2026-11-20', '2026-11-20', fb);
    // 350 000 − cost 150 000 = 200 000 gross profit, all on the Fanpage
    expect(orderTotals(page)).toEqual({ ordersCreated: 1, ordersCancelled: 0, orders: 1, ordersDelivered: 0, revenue: 350000, provisionalRevenue: 350000, grossProfit: 200000 });
    expect(page.funnel).toEqual({ reached: 1, cared: 1, ordered: 1, delivered: 0 });
    // the shop total holds the same single order: nothing left on page `_`
    expect(orderTotals(await overview(shop, '2026-11-20', '2026-11-20'))).toEqual(orderTotals(page));
    // lan cared for c1 and sold to c1: conversion 1 / 1
    expect(await sales(shop, '2026-11-20', '2026-11-20', 'lan')).toEqual({ staffId: 'lan', name: 'Nguyễn Thị Lan', ordersCreated: 1, orders: 1, revenue: 350000, grossProfit: 200000, costCoverage: 1, customersCared: 1, conversionRate: 1 });
    expect(await getOrderView('pj-same', 'haravan:1001')).toMatchObject({ pageId: fb, conversation: { pageId: fb, customerId: 'c1', linkedBy: 'phone' } });
  });

  it('links an order that arrived a delivery (days) before the phone typed in chat, with its ad, and a rebuild agrees', async () => {
    const { shop, fb } = await newShop('pj-days');
    // delivery 1: the order of 18 Nov (minh, 500 000, no cost) and its delivery on 19 Nov
    await recordBatch('pj-days', [phoneOrder({ id: 'o2', orderId: 'sapo:2002', at: at(18, '09:00'), phone: '0912000002', total: 500000, staffId: 'minh' }), { id: 'o2d', kind: 'order.delivered', at: at(19, '15:00'), orderId: 'sapo:2002' }], { now: NOW });
    const unlinked = { ordersCreated: 1, ordersCancelled: 0, orders: 1, ordersDelivered: 1, revenue: 500000, provisionalRevenue: 500000, grossProfit: null };
    expect(orderTotals(await overview(shop, '2026-11-18', '2026-11-20'))).toEqual(unlinked); // on page `_`
    expect(orderTotals(await overview(shop, '2026-11-18', '2026-11-20', fb))).toEqual(noOrders);
    expect(await getOrderView('pj-days', 'sapo:2002')).toMatchObject({ pageId: null, conversation: null });

    // delivery 2, days later: c2 had come from ad-7 at 08:30 on the 18th and types the phone on the 20th
    await recordBatch(
      'pj-days',
      [message({ id: 'm2a', pageId: fb, customerId: 'c2', at: at(18, '08:30'), adId: 'ad-7' }), message({ id: 'm2b', pageId: fb, customerId: 'c2', at: at(20, '14:00'), phone: '+84912000002' })],
      { now: NOW },
    );

    const check = async () => {
      const page = await overview(shop, '2026-11-18', '2026-11-20', fb);
      expect(orderTotals(page)).toEqual(unlinked);
      expect(page.totals.messagesReceived).toBe(2);
      // the funnel is a cohort (SPEC v3 §3): nobody replied to c2, so no stage after reached
      expect(page.funnel).toMatchObject({ cared: 0, ordered: 0, delivered: 0 });
      // bucketed on the day the order was created, not the day the phone linked it
      expect(page.series.map((d) => [d.date, d.ordersCreated, d.revenue])).toEqual([
        ['2026-11-18', 1, 500000],
        ['2026-11-19', 0, 0],
        ['2026-11-20', 0, 0],
      ]);
      expect(orderTotals(await overview(shop, '2026-11-18', '2026-11-20'))).toEqual(unlinked); // moved, not copied
      // the conversation came from ad-7 half an hour before the order (window 7 days)
      const ads = await report<AdsReport>('ads', shop, '2026-11-18', '2026-11-20');
      expect(ads.rows).toHaveLength(1);
      expect(ads.rows[0]).toMatchObject({ adId: 'ad-7', conversationsStarted: 1, ordersCreated: 1, orders: 1, revenue: 500000 });
      expect(await sales(shop, '2026-11-18', '2026-11-20', 'minh')).toMatchObject({ ordersCreated: 1, orders: 1, revenue: 500000, grossProfit: null });
    };
    await check();
    expect(await getOrderView('pj-days', 'sapo:2002')).toMatchObject({
      status: 'delivered',
      pageId: fb,
      conversation: { pageId: fb, customerId: 'c2', linkedBy: 'phone' },
      ad: { adId: 'ad-7', reason: 'referral' },
    });

    await rebuildRollups({ shopId: 'pj-days', from: '2026-11-18', to: '2026-11-20' }, NOW);
    await check();
  });

  it('keeps linking an order that arrives after the phone', async () => {
    const { shop, fb } = await newShop('pj-before');
    await recordBatch('pj-before', [message({ id: 'm4', pageId: fb, customerId: 'c4', at: at(21, '10:00'), phone: '0912000004' })], { now: NOW });
    await recordBatch('pj-before', [phoneOrder({ id: 'o4', orderId: 'shopify:4004', at: at(21, '12:00'), phone: '0912-000-004', total: 200000, staffId: 'lan' })], { now: NOW });
    const linked = { ordersCreated: 1, ordersCancelled: 0, orders: 1, ordersDelivered: 0, revenue: 200000, provisionalRevenue: 200000, grossProfit: null };
    expect(orderTotals(await overview(shop, '2026-11-21', '2026-11-21', fb))).toEqual(linked);
    expect(orderTotals(await overview(shop, '2026-11-21', '2026-11-21'))).toEqual(linked);
    // a cohort funnel (SPEC v3 §3): reached, but no reply, so not in the ordered stage though the order is linked
    expect((await overview(shop, '2026-11-21', '2026-11-21', fb)).funnel).toEqual({ reached: 1, cared: 0, ordered: 0, delivered: 0 });
  });

  it('counts an order and a phone redelivered in every order, and concurrently, once', async () => {
    const { shop, fb } = await newShop('pj-dup');
    const order = phoneOrder({ id: 'o5', orderId: 'haravan:5005', at: at(22, '08:00'), phone: '0912000005', total: 150000 });
    const msg = message({ id: 'm5', pageId: fb, customerId: 'c5', at: at(22, '09:00'), phone: '0912000005' });
    const send = (events: CanonicalEvent[]) => recordBatch('pj-dup', events, { now: NOW });
    await send([order]);
    await send([order]);
    await send([msg]);
    await send([order, msg]);
    await send([msg, order, msg]);
    await Promise.all([send([order]), send([msg]), send([msg, order])]);
    expect(await send([order, msg])).toMatchObject({ applied: 0, duplicates: 2 });

    const linked = { ordersCreated: 1, ordersCancelled: 0, orders: 1, ordersDelivered: 0, revenue: 150000, provisionalRevenue: 150000, grossProfit: null };
    const page = await overview(shop, '2026-11-22', '2026-11-22', fb);
    expect(orderTotals(page)).toEqual(linked);
    expect(page.totals.messagesReceived).toBe(1);
    expect(orderTotals(await overview(shop, '2026-11-22', '2026-11-22'))).toEqual(linked);
    expect(await sales(shop, '2026-11-22', '2026-11-22', 'unknown')).toMatchObject({ ordersCreated: 1, revenue: 150000 });
  });

  describe('two conversations giving the same phone: the earliest giver holds it, whatever arrives first', () => {
    // ca types the phone on the Fanpage at 10:00; cb submitted it through the Zalo OA's form at 09:00 (earlier)
    const phone = (zl: string): PhoneLink => ({ pageId: zl, customerId: 'cb', phone: '84912000006', at: at(23, '09:00') });
    const typed = (fb: string) => message({ id: 'm6', pageId: fb, customerId: 'ca', at: at(23, '10:00'), phone: '0912000006' });
    const o6 = phoneOrder({ id: 'o6', orderId: 'haravan:6006', at: at(23, '11:00'), phone: '0912 000 006', total: 300000, staffId: 'minh' });
    const o7 = phoneOrder({ id: 'o7', orderId: 'haravan:7007', at: at(24, '09:00'), phone: '+84 912 000 006', total: 100000, staffId: 'lan' });
    type Item = 'typed' | 'form' | 'o6' | 'o7';
    const permutations = (xs: Item[]): Item[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest])));

    /** Delivers the four one per delivery in the given order, to a shop of its own. */
    async function deliverInOrder(shopId: string, order: Item[]) {
      const s = await newShop(shopId);
      for (const item of order) {
        if (item === 'form') await recordBatch(shopId, [], { now: NOW, phones: [phone(s.zl)] });
        else await recordBatch(shopId, [item === 'typed' ? typed(s.fb) : item === 'o6' ? o6 : o7], { now: NOW });
      }
      return s;
    }

    /** O6 (minh, 300 000, 23 Nov) and O7 (lan, 100 000, 24 Nov) both on the Zalo OA; the Fanpage keeps ca's message only. */
    async function expectHeldByForm({ shop, fb, zl }: { shop: Shop; fb: string; zl: string }) {
      const both = { ordersCreated: 2, ordersCancelled: 0, orders: 2, ordersDelivered: 0, revenue: 400000, provisionalRevenue: 400000, grossProfit: null };
      const oa = await overview(shop, '2026-11-23', '2026-11-24', zl);
      expect(orderTotals(oa)).toEqual(both);
      expect(oa.series.map((d) => [d.date, d.ordersCreated, d.revenue])).toEqual([
        ['2026-11-23', 1, 300000],
        ['2026-11-24', 1, 100000],
      ]);
      expect(oa.totals.messagesReceived).toBe(0); // a form is no message
      const page = await overview(shop, '2026-11-23', '2026-11-24', fb);
      expect(orderTotals(page)).toEqual(noOrders);
      expect(page.totals.messagesReceived).toBe(1);
      expect(page.funnel.ordered).toBe(0);
      expect(orderTotals(await overview(shop, '2026-11-23', '2026-11-24'))).toEqual(both); // each order once
      expect(await sales(shop, '2026-11-23', '2026-11-24', 'minh')).toMatchObject({ ordersCreated: 1, orders: 1, revenue: 300000 });
      expect(await sales(shop, '2026-11-23', '2026-11-24', 'lan')).toMatchObject({ ordersCreated: 1, orders: 1, revenue: 100000 });
    }

    it('gives the same figures for all 24 arrival orders', async () => {
      const all = permutations(['typed', 'form', 'o6', 'o7']);
      expect(all).toHaveLength(24);
      for (const [i, order] of all.entries()) {
        const s = await deliverInOrder(`pj-two-${i}`, order);
        await expectHeldByForm(s);
        expect(await getOrderView(s.shop.shopId, 'haravan:6006')).toMatchObject({ pageId: s.zl, conversation: { pageId: s.zl, customerId: 'cb', linkedBy: 'phone' } });
      }
    }, 120_000);

    it('reproduces them in a rebuild after the orders moved from the later giver to the earlier one', async () => {
      // both orders first link to ca (the only giver yet), then move to cb when its earlier form arrives
      const s = await deliverInOrder('pj-two-rebuild', ['typed', 'o6', 'o7', 'form']);
      await expectHeldByForm(s);
      await rebuildRollups({ shopId: 'pj-two-rebuild', from: '2026-11-23', to: '2026-11-24' }, NOW);
      await expectHeldByForm(s);
      // a rebuild of the Fanpage alone agrees too (it replays the whole shop)
      await rebuildRollups({ shopId: 'pj-two-rebuild', pageId: s.fb, from: '2026-11-23', to: '2026-11-24' }, NOW);
      await expectHeldByForm(s);
    });

    it('breaks a tie (same instant) by the smaller page id, whatever arrives first', async () => {
      for (const [i, first] of (['fb', 'zl'] as const).entries()) {
        const { shop, fb, zl } = await newShop(`pj-tie-${i}`);
        const onFb = message({ id: 't-fb', pageId: fb, customerId: 'ca', at: at(23, '10:00'), phone: '0912000066' });
        const onZl = message({ id: 't-zl', pageId: zl, customerId: 'cb', at: at(23, '10:00'), phone: '0912000066' });
        const order = phoneOrder({ id: 't-o', orderId: 'haravan:6666', at: at(23, '11:00'), phone: '0912000066', total: 80000 });
        await recordBatch(shop.shopId, [first === 'fb' ? onFb : onZl], { now: NOW });
        await recordBatch(shop.shopId, [order], { now: NOW });
        await recordBatch(shop.shopId, [first === 'fb' ? onZl : onFb], { now: NOW });
        // `pj-tie-i-fb` < `pj-tie-i-zl`
        expect((await overview(shop, '2026-11-23', '2026-11-23', fb)).totals.revenue).toBe(80000);
        expect((await overview(shop, '2026-11-23', '2026-11-23', zl)).totals.revenue).toBe(0);
      }
    });
  });

  it('moves over a hundred orders parked on a phone given late (more than one transaction holds)', async () => {
    const { shop, fb } = await newShop('pj-many');
    const n = 130;
    const orders = Array.from({ length: n }, (_, i) =>
      phoneOrder({ id: `om-${i}`, orderId: `haravan:8${String(i).padStart(3, '0')}`, at: new Date(Date.parse(at(24, '08:00')) + i * 60_000).toISOString(), phone: '0912000008', total: 10000 }),
    );
    for (let i = 0; i < n; i += 50) await recordBatch('pj-many', orders.slice(i, i + 50), { now: NOW });
    expect(orderTotals(await overview(shop, '2026-11-24', '2026-11-24', fb)).ordersCreated).toBe(0);

    const outcome = await recordBatch('pj-many', [message({ id: 'm8', pageId: fb, customerId: 'c8', at: at(24, '15:00'), phone: '0912000008' })], { now: NOW });

    expect(outcome.applied).toBe(n + 1); // the message, and each order moved (stored again with its link)
    // 130 × 10 000
    const linked = { ordersCreated: n, ordersCancelled: 0, orders: n, ordersDelivered: 0, revenue: 1300000, provisionalRevenue: 1300000, grossProfit: null };
    expect(orderTotals(await overview(shop, '2026-11-24', '2026-11-24', fb))).toEqual(linked);
    expect(orderTotals(await overview(shop, '2026-11-24', '2026-11-24'))).toEqual(linked);
  });

  it('joins orders and phones applied concurrently by separate workers', async () => {
    const { shop, fb, zl } = await newShop('pj-race');
    const n = 8;
    const phoneN = (i: number) => `09120009${i}${i}`;
    // pairs raced: the order's worker and the phone's worker at the same time
    await Promise.all(
      Array.from({ length: n }, (_, i) => [
        recordBatch('pj-race', [phoneOrder({ id: `ro-${i}`, orderId: `haravan:90${i}`, at: at(24, `10:0${i}`), phone: phoneN(i), total: 50000 })], { now: NOW }),
        recordBatch('pj-race', [message({ id: `rm-${i}`, pageId: fb, customerId: `rc-${i}`, at: at(24, `09:0${i}`), phone: phoneN(i) })], { now: NOW }),
      ]).flat(),
    );
    // the later giver first; then the earlier giver (a form) and the order raced
    const phoneM = (i: number) => `09120008${i}${i}`;
    for (let i = 0; i < n; i++) await recordBatch('pj-race', [message({ id: `lm-${i}`, pageId: fb, customerId: `lc-${i}`, at: at(24, '12:00'), phone: phoneM(i) })], { now: NOW });
    await Promise.all(
      Array.from({ length: n }, (_, i) => [
        recordBatch('pj-race', [], { now: NOW, phones: [{ pageId: zl, customerId: `ec-${i}`, phone: phoneM(i), at: at(24, '08:00') }] }),
        recordBatch('pj-race', [phoneOrder({ id: `lo-${i}`, orderId: `haravan:91${i}`, at: at(24, `13:0${i}`), phone: phoneM(i), total: 20000 })], { now: NOW }),
      ]).flat(),
    );
    // Fanpage: the 8 raced pairs, 8 × 50 000; Zalo OA: the 8 orders of the earlier givers, 8 × 20 000
    expect(orderTotals(await overview(shop, '2026-11-24', '2026-11-24', fb))).toMatchObject({ ordersCreated: n, revenue: 400000 });
    expect(orderTotals(await overview(shop, '2026-11-24', '2026-11-24', zl))).toMatchObject({ ordersCreated: n, revenue: 160000 });
    expect(orderTotals(await overview(shop, '2026-11-24', '2026-11-24'))).toMatchObject({ ordersCreated: 2 * n, revenue: 560000 });
  });
});

describe('phone join: crashes, full items, stale orders', () => {
  beforeAll(createTestTable);
  const phoneItem = async (shopId: string, phone: string) => (await db().send(new GetCommand({ TableName: tableName(), Key: keys.phone(shopId, phone), ConsistentRead: true }))).Item ?? {};

  it('links the order when the phone is redelivered after a crash between its claim and its transaction', async () => {
    const { shop, fb } = await newShop('pj-crash');
    await recordBatch('pj-crash', [phoneOrder({ id: 'oc', orderId: 'haravan:1111', at: at(24, '09:00'), phone: '0912000011', total: 90000 })], { now: NOW });
    const msg = message({ id: 'mc', pageId: fb, customerId: 'cc', at: at(24, '10:00'), phone: '0912000011' });
    setDb(faultyClient((name) => (name.startsWith('TransactWrite') ? Object.assign(new Error('Lambda killed mid-batch'), { name: 'SimulatedCrash' }) : undefined)));
    try {
      await expect(recordBatch('pj-crash', [msg], { now: NOW })).rejects.toThrow('Lambda killed mid-batch');
    } finally {
      setDb(undefined);
    }
    // the phone is claimed, nothing else moved yet
    expect(await phoneItem('pj-crash', '0912000011')).toMatchObject({ pageId: fb, customerId: 'cc' });
    expect(orderTotals(await overview(shop, '2026-11-24', '2026-11-24', fb))).toEqual(noOrders);

    await recordBatch('pj-crash', [msg], { now: NOW }); // SQS redelivers the message

    expect(orderTotals(await overview(shop, '2026-11-24', '2026-11-24', fb))).toMatchObject({ ordersCreated: 1, orders: 1, revenue: 90000 });
    expect(orderTotals(await overview(shop, '2026-11-24', '2026-11-24'))).toMatchObject({ ordersCreated: 1, orders: 1, revenue: 90000 });
  });

  it('links an order to the holder of a phone whose item is full, without parking it', async () => {
    const { shop, fb } = await newShop('pj-full');
    await recordBatch('pj-full', [message({ id: 'mf', pageId: fb, customerId: 'cf', at: at(24, '10:00'), phone: '0912000012' })], { now: NOW });
    // the item is a few bytes short of DynamoDB's 400 KB: parking one more order is refused
    const item = await phoneItem('pj-full', '0912000012');
    const used = Object.entries(item).reduce((n, [k, v]) => n + k.length + String(v).length, 0) + 'pad'.length;
    await db().send(new PutCommand({ TableName: tableName(), Item: { ...item, pad: 'x'.repeat(400 * 1024 - used - 60) } }));
    await recordBatch('pj-full', [phoneOrder({ id: 'of', orderId: 'haravan:1212', at: at(24, '11:00'), phone: '0912000012', total: 70000 })], { now: NOW });

    expect(orderTotals(await overview(shop, '2026-11-24', '2026-11-24', fb))).toMatchObject({ ordersCreated: 1, revenue: 70000 });
    expect(Object.keys(await phoneItem('pj-full', '0912000012')).filter((k) => k.startsWith('o:'))).toEqual([]);
  });

  it('drops an order parked longer than the late-event limit (30 days) from the phone item, and does not move it', async () => {
    const { shop, fb } = await newShop('pj-stale');
    await recordBatch('pj-stale', [phoneOrder({ id: 'os', orderId: 'haravan:1313', at: at(24, '09:00'), phone: '0912000013', total: 60000 })], { now: NOW });
    expect(Object.keys(await phoneItem('pj-stale', '0912000013'))).toContain('o:haravan:1313');
    // the phone comes 40 days later: the order's day (24 Nov) is past the 30 days a late event may still change
    const later = Date.parse('2027-01-04T12:00:00+07:00');
    const outcome = await recordBatch('pj-stale', [message({ id: 'ms', pageId: fb, customerId: 'cs', at: '2027-01-03T10:00:00+07:00', phone: '0912000013' })], { now: later });
    expect(outcome).toMatchObject({ applied: 1, duplicates: 0 });
    expect(Object.keys(await phoneItem('pj-stale', '0912000013')).filter((k) => k.startsWith('o:'))).toEqual([]);
    const nov24 = (await buildReport('overview', shop, reportQuerySchema.parse({ from: '2026-11-24', to: '2026-11-24' }), { now: later })) as OverviewReport;
    expect(orderTotals(nov24)).toMatchObject({ ordersCreated: 1, revenue: 60000 }); // still on page `_`
    const nov24fb = (await buildReport('overview', shop, reportQuerySchema.parse({ from: '2026-11-24', to: '2026-11-24', pageId: fb }), { now: later })) as OverviewReport;
    expect(orderTotals(nov24fb)).toEqual(noOrders);
  });
});

describe('a phone submitted through a Zalo OA form after the order (webhook to report)', () => {
  const OA = '4500000000000000077';
  const NOW_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 2 * 3_600_000));
  const t = (hhmm: string) => Date.parse(`${NOW_DAY}T${hhmm}:00+07:00`);
  let queues: LocalQueues;
  let stopQueues: () => void;
  beforeAll(async () => {
    await createTestTable();
    ({ queues, stop: stopQueues } = startTestQueues());
    await putShop(makeShop('pj-zalo', { pages: [{ pageId: OA, channel: 'zalo', name: 'OA' }] }));
  });
  afterAll(() => stopQueues());

  it('links the earlier order to the customer’s conversation with the OA', async () => {
    await recordBatch('pj-zalo', [{ id: 'oz', kind: 'order.created', at: new Date(t('09:00')).toISOString(), orderId: 'haravan:3003', phone: '+84 903 000 003', total: 420000 }]);
    const [before] = await getRollups('pj-zalo', '_', 'P', 'D', NOW_DAY, NOW_DAY);
    expect(before?.fields).toMatchObject({ ordersCreated: 1, revenueMinor: 420000 });

    const body = makeZaloSubmitInfo({ oa: OA, user: 'zu-3', phone: '84903000003', appId: TEST_SECRETS.ZALO_APP_ID, ts: String(t('10:00')) });
    const raw = JSON.stringify(body);
    const res = await call(webhook, httpEvent({ method: 'POST', path: '/webhooks/zalo', body: raw, headers: { 'x-zevent-signature': zaloSign(raw, TEST_SECRETS.ZALO_APP_ID, body.timestamp, TEST_SECRETS.ZALO_OA_SECRET_KEY) } }));
    expect(res).toMatchObject({ status: 200 });
    await queues.ingest.drain();

    const [oa] = await getRollups('pj-zalo', OA, 'P', 'D', NOW_DAY, NOW_DAY);
    expect(oa?.fields).toMatchObject({ ordersCreated: 1, revenueMinor: 420000, funnelOrdered: 1 });
    const [after] = await getRollups('pj-zalo', '_', 'P', 'D', NOW_DAY, NOW_DAY);
    expect(after?.fields.ordersCreated ?? 0).toBe(0);
    expect(after?.fields.revenueMinor ?? 0).toBe(0);
    expect(await getOrderView('pj-zalo', 'haravan:3003')).toMatchObject({ pageId: OA, conversation: { pageId: OA, customerId: 'zu-3', linkedBy: 'phone' } });
  });
});
