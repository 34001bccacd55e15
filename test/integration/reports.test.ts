import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { makeShop } from '#test/support/factories.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { putShop, createApiKey } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { buildReport } from '#lib/reports/build.ts';
import { newReadStats } from '#lib/store/rollups.ts';
import { reportQuerySchema } from '#lib/reports/query.ts';
import { handler as report } from '#functions/report/handler.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import type { AdsReport, ConversationsReport, OverviewReport, ReferralsReport, StaffChatReport, StaffSalesReport } from '#lib/reports/types.ts';

/**
 * A hand-computed scenario (Asia/Ho_Chi_Minh, default hours 08:00–22:00,
 * SLA 15 working minutes, default shifts). D1 = Mon 2026-11-16, D2 = Tue
 * 2026-11-17, both in ISO week 2026-W47. Every expected figure below is
 * worked out in the comments, not by the code under test.
 *
 *  A (facebook)  D1 09:00 msg via ad1 · lan replies 09:04 (240 s)
 *                D1 21:55 msg · lan replies D2 08:05 (5 + 5 working min = 600 s)
 *                order O1 D1 10:00, 500 000 ₫, cost 200 000, staff lan, delivered D3
 *  B (facebook)  D1 23:50 comment · D2 00:10 msg (D1 17:10 in UTC: the local day is D2) · never
 *                answered: the wait opened 23:50 ran out of SLA at D2 08:15 → missed, morning, unknown
 *                order O2 D2 09:00, 300 000 ₫, cost 100 000, staff minh, cancelled D4
 *  C (instagram) D1 21:58 msg · minh replies D2 08:20 (2 + 20 working min = 1320 s; SLA ran out
 *                at D2 08:13 → missed, morning shift) · order O3 D2 12:00, 200 000 ₫, no cost,
 *                staff minh, referral code · joined the referral programme (referred by A) and shared
 *  D (instagram) D2 10:00 msg · automated reply 10:00:30 (30 s) · joined the programme
 *  E (facebook)  D2 11:00 msg, never answered (SLA ran out 11:15 → missed, morning, staff unknown)
 *  ad1 spend D1 100 000 ₫ in campaign camp1
 */
const FB = 'rep-fb';
const IG = 'rep-ig';
const NOW = Date.parse('2026-11-19T18:00:00+07:00');
const at = (d: string, hm: string, s = '00') => `2026-11-${d}T${hm}:${s}+07:00`;

const events: CanonicalEvent[] = [
  { id: 'a1', kind: 'message.received', at: at('16', '09:00'), pageId: FB, customerId: 'A', adId: 'ad1' },
  { id: 'a2', kind: 'reply.sent', at: at('16', '09:04'), pageId: FB, customerId: 'A', via: 'message', automated: false, staffId: 'lan' },
  { id: 'a3', kind: 'message.received', at: at('16', '21:55'), pageId: FB, customerId: 'A' },
  { id: 'a4', kind: 'reply.sent', at: at('17', '08:05'), pageId: FB, customerId: 'A', via: 'message', automated: false, staffId: 'lan' },
  { id: 'o1', kind: 'order.created', at: at('16', '10:00'), orderId: 'O1', pageId: FB, customerId: 'A', staffId: 'lan', total: 500000, cost: 200000 },
  { id: 'o1d', kind: 'order.delivered', at: at('18', '10:00'), orderId: 'O1' },
  { id: 'b1', kind: 'comment.received', at: at('16', '23:50'), pageId: FB, customerId: 'B', postId: 'live-1' },
  { id: 'b2', kind: 'message.received', at: at('17', '00:10'), pageId: FB, customerId: 'B' },
  { id: 'o2', kind: 'order.created', at: at('17', '09:00'), orderId: 'O2', pageId: FB, customerId: 'B', staffId: 'minh', total: 300000, cost: 100000 },
  { id: 'o2c', kind: 'order.cancelled', at: at('19', '09:00'), orderId: 'O2' },
  { id: 'c1', kind: 'message.received', at: at('16', '21:58'), pageId: IG, customerId: 'C' },
  { id: 'c2', kind: 'reply.sent', at: at('17', '08:20'), pageId: IG, customerId: 'C', via: 'message', automated: false, staffId: 'minh' },
  { id: 'o3', kind: 'order.created', at: at('17', '12:00'), orderId: 'O3', pageId: IG, customerId: 'C', staffId: 'minh', total: 200000, referralCode: 'REF1' },
  { id: 'c3', kind: 'referral.joined', at: at('17', '13:00'), pageId: IG, customerId: 'C', code: 'REF-C', referredBy: 'A' },
  { id: 'c4', kind: 'referral.shared', at: at('17', '14:00'), pageId: IG, customerId: 'C' },
  { id: 'd1', kind: 'message.received', at: at('17', '10:00'), pageId: IG, customerId: 'D' },
  { id: 'd2', kind: 'reply.sent', at: at('17', '10:00', '30'), pageId: IG, customerId: 'D', via: 'message', automated: true },
  { id: 'd3', kind: 'referral.joined', at: at('17', '15:00'), pageId: IG, customerId: 'D', code: 'REF-D' },
  { id: 'e1', kind: 'message.received', at: at('17', '11:00'), pageId: FB, customerId: 'E' },
  { id: 's1', kind: 'ad.spend', at: at('16', '23:00'), adId: 'ad1', campaignId: 'camp1', amount: 100000 },
];

const shop = makeShop('rep', {
  pages: [
    { pageId: FB, channel: 'facebook', name: 'Fanpage' },
    { pageId: IG, channel: 'instagram', name: 'Instagram' },
  ],
});
const q = (o: Record<string, unknown>) => reportQuerySchema.parse({ from: '2026-11-16', to: '2026-11-17', ...o });

describe('reports over a hand-computed scenario', () => {
  beforeAll(async () => {
    await createTestTable();
    await putShop(shop);
    // delivered in three shuffled batches, one of them twice
    const order = [...events].reverse();
    await recordBatch('rep', order.slice(0, 7), { now: NOW });
    await recordBatch('rep', order.slice(7, 14), { now: NOW });
    await recordBatch('rep', order.slice(7, 14), { now: NOW });
    await recordBatch('rep', order.slice(14), { now: NOW });
  });

  it('overview: totals, previous, funnel, series, hour profiles, top staff', async () => {
    const r = (await buildReport('overview', shop, q({}), { now: NOW })) as OverviewReport;
    expect(r).toMatchObject({ shopId: 'rep', from: '2026-11-16', to: '2026-11-17', timezone: 'Asia/Ho_Chi_Minh', currency: 'VND', approximate: true });
    expect(r.totals).toEqual({
      messagesReceived: 6, // A×2, B, C, D, E
      commentsReceived: 1, // B
      customersReached: 6, // D1 {A, B, C} + D2 {B, D, E}, summed per day (approximate; 5 distinct)
      messageConversations: 5, // D1 {A, C} + D2 {B, D, E}
      customersCared: 4, // D1 {A} + D2 {A, C, D}
      newCustomers: 5, // A, B, C first seen D1; D, E on D2
      ordersCreated: 3,
      ordersCancelled: 1, // O2, cancelled two days later, lowers its creation day
      orders: 2,
      ordersDelivered: 1,
      ordersReturned: 0,
      revenue: 700000, // O1 + O3
      provisionalRevenue: 1000000,
      grossProfit: 300000, // O1 500 000 − 200 000; O3 has no cost
      closeRate: 0.5, // 3 / 6
      pagesActivated: 2,
      channelsConnected: 2,
    });
    expect(Object.values(r.previous).every((v) => v === 0 || v === null || v === 2)).toBe(true);
    expect(r.previous.messagesReceived).toBe(0);
    expect(r.funnel).toEqual({ reached: 6, cared: 4, ordered: 2, delivered: 1 }); // ordered: A (D1), C (D2); B's only order was cancelled
    expect(r.series.map((s) => [s.date, s.messagesReceived, s.customersReached, s.ordersCreated, s.revenue])).toEqual([
      ['2026-11-16', 3, 3, 1, 500000],
      ['2026-11-17', 3, 3, 2, 200000],
    ]);
    const reach = Array(24).fill(0);
    for (const h of [9, 23, 21, 0, 10, 11]) reach[h]++; // first inbound of each customer-day
    expect(r.reachByHour).toEqual(reach);
    const inter = Array(24).fill(0);
    for (const h of [9, 21, 23, 21, 0, 10, 11]) inter[h]++; // every inbound message and comment
    expect(r.interactionsByHour).toEqual(inter);
    expect(r.topStaff).toEqual([
      { staffId: 'lan', name: 'Nguyễn Thị Lan', customersCared: 2, revenue: 500000, conversionRate: 0.5 },
      { staffId: 'minh', name: 'Trần Văn Minh', customersCared: 1, revenue: 200000, conversionRate: 1 },
    ]);
  });

  it('is exact (not approximate) for one ISO week', async () => {
    const r = (await buildReport('overview', shop, q({ from: '2026-11-16', to: '2026-11-22' }), { now: NOW })) as OverviewReport;
    expect(r.approximate).toBeUndefined();
    expect(r.totals.customersReached).toBe(5); // A, B, C, D, E
    expect(r.totals.customersCared).toBe(3); // A, C, D
  });

  it('filters by page and by channel', async () => {
    const ig = (await buildReport('overview', shop, q({ pageId: [IG] }), { now: NOW })) as OverviewReport;
    expect([ig.totals.messagesReceived, ig.totals.ordersCreated, ig.totals.revenue, ig.totals.pagesActivated]).toEqual([2, 1, 200000, 1]);
    const fb = (await buildReport('overview', shop, q({ channel: 'facebook' }), { now: NOW })) as OverviewReport;
    expect([fb.totals.messagesReceived, fb.totals.commentsReceived, fb.totals.ordersCreated, fb.totals.ordersCancelled]).toEqual([4, 1, 2, 1]);
  });

  it('staff-chat: response times inside working hours, replies, missed per shift', async () => {
    const r = (await buildReport('staff-chat', shop, q({}), { now: NOW })) as StaffChatReport;
    const row = (id: string) => r.rows.find((x) => x.staffId === id)!;
    expect(row('lan')).toMatchObject({ responseTimeAvgSeconds: 420, messageReplies: 2, conversationsAnswered: 2, missedConversations: 0 }); // (240 + 600) / 2
    expect(row('lan').responseTimeP90Seconds).toBeGreaterThan(420); // the 600 s reply lies in the (420, 600] bucket
    expect(row('lan').responseTimeP90Seconds).toBeLessThanOrEqual(600);
    expect(row('minh')).toMatchObject({ responseTimeAvgSeconds: 1320, messageReplies: 1, missedConversations: 1, missedByShift: { morning: 1, afternoon: 0, evening: 0 } });
    expect(row('minh').responseTimeP90Seconds).toBeGreaterThan(1200); // (1200, 1800] bucket
    expect(row('automated')).toMatchObject({ responseTimeAvgSeconds: 30, messageReplies: 1, missedConversations: 0 });
    // still waiting: B since D1 23:50 (SLA ran out D2 08:15) and E since D2 11:00 (ran out 11:15), both morning
    expect(row('unknown')).toMatchObject({ missedConversations: 2, missedByShift: { morning: 2, afternoon: 0, evening: 0 }, responseTimeAvgSeconds: null });
  });

  it('staff-sales: orders, revenue, profit and conversion per sales staff', async () => {
    const r = (await buildReport('staff-sales', shop, q({}), { now: NOW })) as StaffSalesReport;
    expect(r.rows.filter((x) => x.staffId === 'lan' || x.staffId === 'minh')).toEqual([
      { staffId: 'lan', name: 'Nguyễn Thị Lan', ordersCreated: 1, orders: 1, revenue: 500000, grossProfit: 300000, customersCared: 2, conversionRate: 0.5 },
      { staffId: 'minh', name: 'Trần Văn Minh', ordersCreated: 2, orders: 1, revenue: 200000, grossProfit: 0, customersCared: 1, conversionRate: 1 },
    ]);
  });

  it('ads: conversations, attributed orders, spend, ROAS and cost per order', async () => {
    const r = (await buildReport('ads', shop, q({}), { now: NOW })) as AdsReport;
    expect(r.rows).toEqual([
      { adId: 'ad1', campaignId: 'camp1', conversationsStarted: 1, customersReached: 1, ordersCreated: 1, orders: 1, revenue: 500000, spend: 100000, roas: 5, costPerOrder: 100000 },
    ]);
    expect(r.campaigns).toEqual([
      { campaignId: 'camp1', conversationsStarted: 1, customersReached: 1, ordersCreated: 1, orders: 1, revenue: 500000, spend: 100000, roas: 5, costPerOrder: 100000 },
    ]);
  });

  it('referrals: participants, referred, share rate, referral revenue', async () => {
    const r = (await buildReport('referrals', shop, q({}), { now: NOW })) as ReferralsReport;
    expect(r.rows).toEqual([{ participants: 2, referred: 1, sharers: 1, shareRate: 0.5, referralOrders: 1, referralRevenue: 200000 }]);
  });

  it('conversations by hour', async () => {
    const r = (await buildReport('conversations', shop, q({ from: '2026-11-17', to: '2026-11-17', granularity: 'hour' }), { now: NOW })) as ConversationsReport;
    expect(r.rows).toHaveLength(24);
    expect(r.rows.filter((x) => x.messagesReceived > 0).map((x) => [x.hour, x.messagesReceived])).toEqual([
      [0, 1],
      [10, 1],
      [11, 1],
    ]);
  });

  it('reads O(periods): a 30-day overview reads day items, a year reads month items', async () => {
    const month = newReadStats();
    await buildReport('overview', shop, q({ from: '2026-10-21', to: '2026-11-19' }), { now: NOW, stats: month });
    // 2 pages + `_`; items that exist: 2 days × 2 pages plus a week and a month item per page
    expect(month.items).toBeLessThan(20);
    const year = newReadStats();
    const r = (await buildReport('overview', shop, q({ from: '2025-11-20', to: '2026-11-19' }), { now: NOW, stats: year }));
    expect(year.items).toBeLessThan(20);
    expect((r as OverviewReport).series.length).toBe(13); // monthly series, 2025-11 … 2026-11
  });

  describe('over HTTP', () => {
    let key: string;
    beforeAll(async () => {
      key = await createApiKey('rep');
      await putShop(makeShop('rep-other', { pages: [{ pageId: 'other-page', channel: 'zalo', name: 'x' }] }));
    });
    const get = (path: string, query: string, auth?: string) =>
      call(report, httpEvent({ method: 'GET', path, query, headers: auth ? { authorization: `Bearer ${auth}` } : {} }));

    it('serves JSON and CSV with a BOM', async () => {
      const json = await get('/v1/shops/rep/reports/staff-sales', 'from=2026-11-16&to=2026-11-17', key);
      expect(json.status).toBe(200);
      const csv = await get('/v1/shops/rep/reports/overview', 'from=2026-11-16&to=2026-11-17&format=csv', key);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.raw.startsWith('\uFEFFdate,customersReached,')).toBe(true);
      expect(csv.raw.split('\r\n')[1]).toMatch(/^2026-11-16,3,/);
    });

    it('answers 401, 403, 400 and 404 as the spec says', async () => {
      expect((await get('/v1/shops/rep/reports/overview', 'from=2026-11-16&to=2026-11-17')).status).toBe(401);
      expect((await get('/v1/shops/rep/reports/overview', 'from=2026-11-16&to=2026-11-17', 'cp_bad')).status).toBe(401);
      expect((await get('/v1/shops/rep-other/reports/overview', 'from=2026-11-16&to=2026-11-17', key)).status).toBe(403);
      const bad = await get('/v1/shops/rep/reports/overview', 'from=2026-11-17&to=2026-11-16', key);
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([{ path: 'from', message: 'from must not be after to' }]);
      const long = await get('/v1/shops/rep/reports/overview', 'from=2025-01-01&to=2026-11-16', key);
      expect(long.body.error.details).toEqual([{ path: 'to', message: 'a range is at most 366 days' }]);
      const badDate = await get('/v1/shops/rep/reports/overview', 'from=2026-02-30&to=2026-11-16', key);
      expect(badDate.body.error.details[0].path).toBe('from');
      expect((await get('/v1/shops/rep/reports/funnel', 'from=2026-11-16&to=2026-11-17', key)).status).toBe(404);
      const openapi = await get('/v1/openapi.json', '');
      expect(Object.keys(openapi.body.paths)).toContain('/v1/events');
    });
  });
});
