import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { buildReport } from '#lib/reports/build.ts';
import { reportQuerySchema } from '#lib/reports/query.ts';
import { serveReport } from '#lib/reports/serve.ts';
import { NotFoundError, ValidationError } from '#lib/errors.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import type { AdsReport, ConversationsReport, OverviewReport, ReferralsReport, StaffChatReport, StaffSalesReport, Totals } from '#lib/reports/types.ts';

/**
 * A hand-computed scenario. Shop zone Asia/Ho_Chi_Minh (+07:00, no DST),
 * default working hours Mon–Sun 08:00–22:00, SLA 15 working minutes, default
 * shifts morning 08–12, afternoon 12–18, evening 18–22, attribution 7 days.
 * D0 = Sun 2026-11-15 (the previous range), D1 = Mon 16, D2 = Tue 17 (both in
 * ISO week 2026-W47), D3 = Wed 18, D4 = Thu 19. Pages: FB (facebook), IG
 * (instagram). NOW = D4 18:00.
 *
 *  A FB  D1 09:00 msg from ad1 · lan replies 09:04 (240 s)
 *        D1 21:55 msg · lan replies D2 08:05: 5 working min (21:55–22:00) + 5 (08:00–08:05) = 600 s,
 *        SLA would run out at D2 08:10, so not missed
 *        O1 D1 10:00, 500 000 ₫, cost 200 000, staff lan, attributed to ad1, delivered D3
 *  B FB  D1 23:50 comment · D2 00:10 msg (= D1 17:10 UTC: the UTC date is D1, the local day D2)
 *        never answered: the wait opened 23:50 runs out at D2 08:15 (morning) → open, missed
 *        O2 D2 09:00, 300 000 ₫, cost 100 000, staff minh, cancelled D4 (two days later)
 *  C IG  D1 21:58 msg · minh replies D2 08:20: 2 + 20 working min = 1320 s; the SLA ran out at
 *        D2 08:13 (2 min + 13 min) → missed by minh, morning
 *        O3 D2 12:00, 200 000 ₫, no cost, staff minh, referral code REF1
 *        joins the referral programme D2 13:00 (referred by A) and shares D2 14:00
 *  D IG  D2 10:00 msg · automated reply 10:00:30 (30 s) · joins the programme D2 15:00
 *  E FB  D2 11:50 msg, never answered → runs out 12:05 (afternoon)
 *  F FB  D1 21:55 msg, never answered → 5 min on D1, 10 min on D2: runs out D2 08:10 (morning)
 *  G IG  D2 17:50 comment, never answered → runs out 18:05 (evening)
 *  J FB  D2 14:00 comment · lan replies by comment 14:10 (600 s, SLA 14:15: not missed)
 *  H FB  D0 20:00 msg, never answered (runs out D0 20:15, outside D1–D2) · O4 D0 20:30,
 *        150 000 ₫, cost 50 000, staff lan
 *  O5    D2 13:00, 100 000 ₫, no page, customer or staff: stored on page `_`
 *  ad1   spend D1 100 000 ₫, campaign camp1, no page (stored on `_`)
 */
const SHOP = 'rep';
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
  { id: 'e1', kind: 'message.received', at: at('17', '11:50'), pageId: FB, customerId: 'E' },
  { id: 'f1', kind: 'message.received', at: at('16', '21:55'), pageId: FB, customerId: 'F' },
  { id: 'g1', kind: 'comment.received', at: at('17', '17:50'), pageId: IG, customerId: 'G' },
  { id: 'j1', kind: 'comment.received', at: at('17', '14:00'), pageId: FB, customerId: 'J' },
  { id: 'j2', kind: 'reply.sent', at: at('17', '14:10'), pageId: FB, customerId: 'J', via: 'comment', automated: false, staffId: 'lan' },
  { id: 'h1', kind: 'message.received', at: at('15', '20:00'), pageId: FB, customerId: 'H' },
  { id: 'o4', kind: 'order.created', at: at('15', '20:30'), orderId: 'O4', pageId: FB, customerId: 'H', staffId: 'lan', total: 150000, cost: 50000 },
  { id: 'o5', kind: 'order.created', at: at('17', '13:00'), orderId: 'O5', total: 100000 },
  { id: 's1', kind: 'ad.spend', at: at('16', '23:00'), adId: 'ad1', campaignId: 'camp1', amount: 100000 },
];

const shop = makeShop(SHOP, {
  pages: [
    { pageId: FB, channel: 'facebook', name: 'Fanpage' },
    { pageId: IG, channel: 'instagram', name: 'Instagram' },
  ],
});
const q = (o: Record<string, unknown> = {}) => reportQuerySchema.parse({ from: '2026-11-16', to: '2026-11-17', ...o });
const opts = { now: NOW };
const hours = (counts: Record<number, number>) => Array.from({ length: 24 }, (_, h) => counts[h] ?? 0);

describe('reports over a hand-computed scenario', () => {
  beforeAll(async () => {
    await createTestTable();
    await putShop(shop);
    // delivered in three shuffled batches, one of them twice
    const order = [...events].reverse();
    await recordBatch(SHOP, order.slice(0, 9), { now: NOW });
    await recordBatch(SHOP, order.slice(9, 18), { now: NOW });
    await recordBatch(SHOP, order.slice(9, 18), { now: NOW });
    await recordBatch(SHOP, order.slice(18), { now: NOW });
  });

  it('overview: header, totals, previous, funnel', async () => {
    const r = (await buildReport('overview', shop, q(), opts)) as OverviewReport;
    expect(r).toMatchObject({
      shopId: SHOP,
      from: '2026-11-16',
      to: '2026-11-17',
      timezone: 'Asia/Ho_Chi_Minh',
      currency: 'VND',
      generatedAt: '2026-11-19T11:00:00.000Z',
      approximate: true, // two day pieces
      previousRange: { from: '2026-11-14', to: '2026-11-15' },
      seriesPeriod: 'day',
    });
    expect(r.totals).toEqual({
      messagesReceived: 7, // FB: a1, a3, f1 (D1), b2, e1 (D2); IG: c1 (D1), d1 (D2)
      commentsReceived: 3, // FB: b1 (D1), j1 (D2); IG: g1 (D2)
      customersReached: 9, // per day: FB D1 {A,B,F} 3 + D2 {B,E,J} 3, IG D1 {C} 1 + D2 {D,G} 2 (B twice: 8 distinct)
      messageConversations: 6, // FB D1 {A,F} + D2 {B,E}, IG D1 {C} + D2 {D}
      customersCared: 5, // FB D1 {A} + D2 {A,J}, IG D2 {C,D} (A twice: 4 distinct)
      newCustomers: 8, // first ever in D1–D2: A, B, F, E, J, C, D, G (H came on D0)
      ordersCreated: 4, // O1, O2, O3, O5 (O5 on page `_`)
      ordersCancelled: 1, // O2, cancelled on D4, lowers D2 where it was created
      orders: 3,
      ordersDelivered: 1, // O1
      ordersReturned: 0,
      deliveries: 0, // O1 was delivered on D3, after the range
      deliveredRevenue: 0,
      revenue: 800000, // O1 500 000 + O3 200 000 + O5 100 000
      provisionalRevenue: 1100000, // + O2 300 000
      grossProfit: 300000, // O1 500 000 − 200 000; O3, O5 have no cost; O2 cancelled
      costCoverage: 0.3333, // of the 3 orders (O1, O3, O5) only O1's cost is known
      closeRate: 0.4444, // 4 / 9
      pagesActivated: 2,
      channelsConnected: 2, // facebook, instagram
    });
    const previous: Totals = {
      // D0 only: H's message and O4
      messagesReceived: 1,
      commentsReceived: 0,
      customersReached: 1,
      messageConversations: 1,
      customersCared: 0,
      newCustomers: 1,
      ordersCreated: 1,
      ordersCancelled: 0,
      orders: 1,
      ordersDelivered: 0,
      ordersReturned: 0,
      deliveries: 0,
      deliveredRevenue: 0,
      revenue: 150000,
      provisionalRevenue: 150000,
      grossProfit: 100000, // 150 000 − 50 000
      costCoverage: 1,
      closeRate: 1, // 1 / 1
      pagesActivated: 2, // connection is "now", the same for both ranges
      channelsConnected: 2,
    };
    expect(r.previous).toEqual(previous);
    // the cohort, per page and day: cared = reached and replied to that day: FB D1 {A}, FB D2 {J}, IG D2 {D}
    // (A on D2 and C on D2 were replied to but reached the day before); ordered: of those, FB D1 {A: O1};
    // C's O3 (D2) is not, as C was reached on D1; delivered: A (O1, delivered on D3)
    expect(r.funnel).toEqual({ reached: 9, cared: 3, ordered: 1, delivered: 1 });
  });

  it('overview: series per local day, hour profiles, top staff', async () => {
    const r = (await buildReport('overview', shop, q(), opts)) as OverviewReport;
    expect(r.series).toEqual([
      {
        date: '2026-11-16',
        messagesReceived: 4, // a1, a3, f1, c1
        commentsReceived: 1, // b1 at 23:50
        customersReached: 4, // A, B, F, C
        messageConversations: 3, // A, F, C
        customersCared: 1, // A
        newCustomers: 4, // A, B, F, C
        ordersCreated: 1, // O1
        ordersCancelled: 0,
        orders: 1,
        ordersDelivered: 1,
        ordersReturned: 0,
        deliveries: 0,
        deliveredRevenue: 0,
        revenue: 500000,
        provisionalRevenue: 500000,
        grossProfit: 300000,
        costCoverage: 1, // O1's cost is known
        closeRate: 0.25, // 1 / 4
        pagesActivated: 2,
        channelsConnected: 2,
      },
      {
        date: '2026-11-17',
        messagesReceived: 3, // b2 (00:10 local, still D1 in UTC), e1, d1
        commentsReceived: 2, // j1, g1
        customersReached: 5, // B, E, J, D, G
        messageConversations: 3, // B, E, D
        customersCared: 4, // A, J (FB), C, D (IG)
        newCustomers: 4, // E, J, D, G
        ordersCreated: 3, // O2, O3, O5
        ordersCancelled: 1, // O2
        orders: 2,
        ordersDelivered: 0,
        ordersReturned: 0,
        deliveries: 0,
        deliveredRevenue: 0,
        revenue: 300000, // O3 + O5
        provisionalRevenue: 600000, // O2 + O3 + O5
        grossProfit: null, // no order of the day has a known cost (O2's is, but O2 is cancelled)
        costCoverage: 0, // 0 of 2
        closeRate: 0.6, // 3 / 5
        pagesActivated: 2,
        channelsConnected: 2,
      },
    ]);
    // first inbound of each customer-day: D1 A 09, F 21, C 21, B 23; D2 B 00, D 10, E 11, J 14, G 17
    expect(r.reachByHour).toEqual(hours({ 0: 1, 9: 1, 10: 1, 11: 1, 14: 1, 17: 1, 21: 2, 23: 1 }));
    // every inbound: D1 a1 09, a3 21, f1 21, c1 21, b1 23; D2 b2 00, d1 10, e1 11, j1 14, g1 17
    expect(r.interactionsByHour).toEqual(hours({ 0: 1, 9: 1, 10: 1, 11: 1, 14: 1, 17: 1, 21: 3, 23: 1 }));
    expect(r.topStaff).toEqual([
      // lan: O1 500 000; cared D1 {A} + D2 {A, J} = 3; ordered {A} on D1 → 1/3
      { staffId: 'lan', name: 'Nguyễn Thị Lan', customersCared: 3, revenue: 500000, conversionRate: 0.3333 },
      // minh: O3 200 000 (O2 cancelled); cared {C}; ordered {C} → 1
      { staffId: 'minh', name: 'Trần Văn Minh', customersCared: 1, revenue: 200000, conversionRate: 1 },
    ]);
  });

  it('is exact for one ISO week and approximate for two', async () => {
    const week = (await buildReport('overview', shop, q({ from: '2026-11-16', to: '2026-11-22' }), opts)) as OverviewReport;
    expect(week.approximate).toBeUndefined(); // W47, and previous = W46: one piece each
    expect(week.totals.customersReached).toBe(8); // FB {A, B, F, E, J} + IG {C, D, G}
    expect(week.totals.customersCared).toBe(4); // FB {A, J} + IG {C, D}
    expect(week.previous.customersReached).toBe(1); // W46: H
    expect(week.previousRange).toEqual({ from: '2026-11-09', to: '2026-11-15' }); // the previous ISO week
    // over the whole week the cohort keeps C: reached D1, replied to and ordered (O3) D2
    // cared {A, J} FB + {C, D} IG; ordered A (O1), C (O3); delivered A
    expect(week.funnel).toEqual({ reached: 8, cared: 4, ordered: 2, delivered: 1 });
    const two = (await buildReport('overview', shop, q({ from: '2026-11-16', to: '2026-11-29' }), opts)) as OverviewReport;
    expect(two.approximate).toBe(true);
    expect(two.totals.customersReached).toBe(8); // W47 8 + W48 0
    const sales = (await buildReport('staff-sales', shop, q({ from: '2026-11-16', to: '2026-11-22' }), opts)) as StaffSalesReport;
    expect(sales.approximate).toBeUndefined();
    expect(sales.rows.find((x) => x.staffId === 'lan')).toMatchObject({ customersCared: 2, conversionRate: 0.5 }); // {A, J}; ordered {A}
  });

  it('filters by page and by channel; `_` only without a filter; unknown page is a 400', async () => {
    const ig = (await buildReport('overview', shop, q({ pageId: IG }), opts)) as OverviewReport;
    // IG: c1, d1 messages; g1 comment; reached D1 {C} + D2 {D, G}; O3 only (O5 on `_` left out)
    expect([ig.totals.messagesReceived, ig.totals.commentsReceived, ig.totals.customersReached, ig.totals.ordersCreated, ig.totals.revenue, ig.totals.pagesActivated, ig.totals.channelsConnected]).toEqual([
      2, 1, 3, 1, 200000, 1, 1,
    ]);
    const fb = (await buildReport('overview', shop, q({ channel: 'facebook' }), opts)) as OverviewReport;
    // FB: a1, a3, f1, b2, e1; b1, j1; reached 3 + 3; O1, O2 (cancelled); revenue O1
    expect([fb.totals.messagesReceived, fb.totals.commentsReceived, fb.totals.customersReached, fb.totals.ordersCreated, fb.totals.ordersCancelled, fb.totals.revenue, fb.totals.pagesActivated]).toEqual([
      5, 2, 6, 2, 1, 500000, 1,
    ]);
    const both = (await buildReport('overview', shop, q({ pageId: [FB, IG] }), opts)) as OverviewReport;
    expect(both.totals.ordersCreated).toBe(3); // O1, O2, O3: O5 (page `_`) only counts without a filter
    await expect(buildReport('overview', shop, q({ pageId: ['nope'] }), opts)).rejects.toBeInstanceOf(ValidationError);
  });

  it('staff-chat: response times in working hours, replies, missed per shift', async () => {
    const r = (await buildReport('staff-chat', shop, q(), opts)) as StaffChatReport;
    expect(r.approximate).toBe(true);
    expect(r.rows.map((x) => x.staffId).sort()).toEqual(['automated', 'lan', 'minh', 'unknown']);
    const row = (id: string) => r.rows.find((x) => x.staffId === id)!;
    // lan: 240 s (D1) + 600 s across the night (D2) + 600 s (J, D2) → avg 1440 / 3 = 480;
    // p90: rank ⌈0.9 × 3⌉ = 3 lies in bucket (420, 600] holding 2 waits after 1 below → 420 + 180 × 2/2 = 600
    // median: rank ⌈0.5 × 3⌉ = 2, the first of the 2 waits in (420, 600] → 420 + 180 × 1/2 = 510
    expect(row('lan')).toEqual({
      staffId: 'lan',
      name: 'Nguyễn Thị Lan',
      responseTimeMedianSeconds: 510,
      responseTimeP90Seconds: 600,
      responseTimeAvgSeconds: 480,
      messageReplies: 2,
      commentReplies: 1,
      conversationsAnswered: 3, // D1 {A} + D2 {A, J}
      missedConversations: 0,
      missedByShift: { morning: 0, afternoon: 0, evening: 0 },
      // all three within 15 working min; A's first wait began 09:00 (morning), A's second 21:55 (evening), J's 14:00 (afternoon)
      slaMetRate: 1,
      slaMetRateByShift: { morning: 1, afternoon: 1, evening: 1 },
    });
    expect(row('lan').responseTimeP90Seconds).toBeGreaterThan(420);
    // minh: one wait of 1320 s in bucket (1200, 1800]: p90 interpolates to 1800; missed at 08:13 (morning)
    expect(row('minh')).toMatchObject({ responseTimeMedianSeconds: 1800, responseTimeAvgSeconds: 1320, responseTimeP90Seconds: 1800, messageReplies: 1, commentReplies: 0, conversationsAnswered: 1 });
    expect(row('minh')).toMatchObject({ missedConversations: 1, missedByShift: { morning: 1, afternoon: 0, evening: 0 } });
    // C's wait began 21:58 (evening) and was missed: 0 of 1 within the SLA
    expect(row('minh')).toMatchObject({ slaMetRate: 0, slaMetRateByShift: { morning: null, afternoon: null, evening: 0 } });
    expect(row('automated')).toMatchObject({ slaMetRate: 1, slaMetRateByShift: { morning: 1, afternoon: null, evening: null } });
    // automated: 30 s in bucket (15, 30] → p90 30
    expect(row('automated')).toMatchObject({ name: 'Tự động', responseTimeAvgSeconds: 30, responseTimeP90Seconds: 30, messageReplies: 1, conversationsAnswered: 1, missedConversations: 0 });
    // still open: F runs out D2 08:10 and B 08:15 (morning), E 12:05 (afternoon), G 18:05 (evening); H ran out on D0, outside
    expect(row('unknown')).toEqual({
      staffId: 'unknown',
      name: 'Không xác định',
      responseTimeMedianSeconds: null,
      responseTimeP90Seconds: null,
      responseTimeAvgSeconds: null,
      messageReplies: 0,
      commentReplies: 0,
      conversationsAnswered: 0,
      missedConversations: 4,
      missedByShift: { morning: 2, afternoon: 1, evening: 1 },
      slaMetRate: null, // no closed wait
      slaMetRateByShift: { morning: null, afternoon: null, evening: null },
    });
    // per shift over everyone: morning waits A(09:00, lan) and D (automated) both in time; afternoon J in time;
    // evening A(21:55) in time, C missed → 1/2. Missed: morning minh C + open F, B; afternoon E; evening G
    expect(r.shifts).toEqual([
      { shift: 'morning', waitsClosed: 2, withinSla: 2, slaMetRate: 1, missedConversations: 3 },
      { shift: 'afternoon', waitsClosed: 1, withinSla: 1, slaMetRate: 1, missedConversations: 1 },
      { shift: 'evening', waitsClosed: 2, withinSla: 1, slaMetRate: 0.5, missedConversations: 1 },
    ]);
    // open waits follow the page filter: instagram has only G
    const igChat = (await buildReport('staff-chat', shop, q({ channel: 'instagram' }), opts)) as StaffChatReport;
    expect(igChat.rows.find((x) => x.staffId === 'unknown')).toMatchObject({ missedConversations: 1, missedByShift: { morning: 0, afternoon: 0, evening: 1 } });
    // and the clock: at D2 08:12 only F (08:10) has run out among the open waits
    const early = (await buildReport('staff-chat', shop, q(), { now: Date.parse(at('17', '08:12')) })) as StaffChatReport;
    expect(early.rows.find((x) => x.staffId === 'unknown')).toMatchObject({ missedConversations: 1, missedByShift: { morning: 1, afternoon: 0, evening: 0 } });
  });

  it('staff-sales: orders, revenue, profit and conversion per staff', async () => {
    const r = (await buildReport('staff-sales', shop, q(), opts)) as StaffSalesReport;
    expect(r.rows).toEqual([
      { staffId: 'lan', name: 'Nguyễn Thị Lan', ordersCreated: 1, orders: 1, revenue: 500000, grossProfit: 300000, costCoverage: 1, customersCared: 3, conversionRate: 0.3333 },
      // O2 (cancelled) + O3; O3 has no cost → profit unknown (null, not 0), coverage 0 of 1
      { staffId: 'minh', name: 'Trần Văn Minh', ordersCreated: 2, orders: 1, revenue: 200000, grossProfit: null, costCoverage: 0, customersCared: 1, conversionRate: 1 },
      // O5: no staff
      { staffId: 'unknown', name: 'Không xác định', ordersCreated: 1, orders: 1, revenue: 100000, grossProfit: null, costCoverage: 0, customersCared: 0, conversionRate: null },
    ]);
  });

  it('ads and campaigns: ROAS and cost per order; spend on `_` only without a filter', async () => {
    const r = (await buildReport('ads', shop, q(), opts)) as AdsReport;
    // ad1: a1 started a conversation; A reached while attributed; O1 attributed (1 h after a1); spend 100 000
    const ad1 = { conversationsStarted: 1, customersReached: 1, ordersCreated: 1, orders: 1, revenue: 500000, spend: 100000, roas: 5, costPerOrder: 100000, costPerConversation: 100000 };
    expect(r.rows).toEqual([{ adId: 'ad1', adName: null, campaignId: 'camp1', campaignName: null, ...ad1 }]);
    expect(r.campaigns).toEqual([{ campaignId: 'camp1', campaignName: null, ...ad1 }]);
    const fb = (await buildReport('ads', shop, q({ pageId: FB }), opts)) as AdsReport;
    // the spend has no page: left out under a page filter → roas null, cost per order 0 / 1 = 0; campaign still known
    expect(fb.rows).toEqual([{ adId: 'ad1', adName: null, campaignId: 'camp1', campaignName: null, ...ad1, spend: 0, roas: null, costPerOrder: 0, costPerConversation: 0 }]);
  });

  it('deliveries count on the day of delivery, whenever the order was created', async () => {
    // O1, created D1, delivered D3 (18 Nov): on D3 one delivery worth 500 000, though no order was created that day
    const d3 = (await buildReport('overview', shop, q({ from: '2026-11-18', to: '2026-11-18' }), opts)) as OverviewReport;
    expect(d3.totals).toMatchObject({ deliveries: 1, deliveredRevenue: 500000, ordersCreated: 0, ordersDelivered: 0, grossProfit: null, costCoverage: null });
    expect(d3.previousRange).toEqual({ from: '2026-11-17', to: '2026-11-17' }); // the day before
    expect(d3.previous).toMatchObject({ deliveries: 0, ordersCreated: 3 });
    // and in the week that holds both days, one delivery and one order delivered (O1 created in it)
    const week = (await buildReport('overview', shop, q({ from: '2026-11-16', to: '2026-11-22' }), opts)) as OverviewReport;
    expect(week.totals).toMatchObject({ deliveries: 1, deliveredRevenue: 500000, ordersDelivered: 1 });
  });

  it('referrals: participants, referred, share rate, referral revenue', async () => {
    const r = (await buildReport('referrals', shop, q(), opts)) as ReferralsReport;
    // C and D joined on D2, C through A's referral, C shared; O3 carries REF1
    expect(r.rows).toEqual([{ participants: 2, referred: 1, sharers: 1, shareRate: 0.5, referralOrders: 1, referralRevenue: 200000 }]);
  });

  it('conversations per day and per hour', async () => {
    const days = (await buildReport('conversations', shop, q(), opts)) as ConversationsReport;
    expect(days.approximate).toBeUndefined(); // each row is one day item
    expect(days.rows.map((x) => [x.date, x.messagesReceived, x.commentsReceived, x.customersReached])).toEqual([
      ['2026-11-16', 4, 1, 4],
      ['2026-11-17', 3, 2, 5],
    ]);
    const r = (await buildReport('conversations', shop, q({ from: '2026-11-17', to: '2026-11-17', granularity: 'hour' }), opts)) as ConversationsReport;
    expect(r.rows).toHaveLength(24);
    expect(r.rows.every((x) => x.date === '2026-11-17')).toBe(true);
    expect(r.rows.map((x) => x.hour)).toEqual(Array.from({ length: 24 }, (_, h) => h));
    // D2: b2 00:10, d1 10:00, e1 11:50 messages; j1 14:00, g1 17:50 comments; each the customer's first that day
    expect(r.rows.filter((x) => x.messagesReceived + x.commentsReceived > 0).map((x) => [x.hour, x.messagesReceived, x.commentsReceived, x.customersReached])).toEqual([
      [0, 1, 0, 1],
      [10, 1, 0, 1],
      [11, 1, 0, 1],
      [14, 0, 1, 1],
      [17, 0, 1, 1],
    ]);
  });

  it('serves JSON and CSV (BOM, CRLF) and refuses unknown reports and bad queries', async () => {
    const csv = await serveReport(SHOP, 'staff-sales', new URLSearchParams('from=2026-11-16&to=2026-11-17&format=csv'), NOW);
    expect(csv.format).toBe('csv');
    expect(csv.body).toBe(
      '\uFEFFstaffId,name,ordersCreated,orders,revenue,grossProfit,costCoverage,customersCared,conversionRate\r\n' +
        'lan,Nguyễn Thị Lan,1,1,500000,300000,1,3,0.3333\r\n' +
        'minh,Trần Văn Minh,2,1,200000,,0,1,1\r\n' +
        'unknown,Không xác định,1,1,100000,,0,0,\r\n',
    );
    await expect(serveReport(SHOP, 'funnel', new URLSearchParams('from=2026-11-16&to=2026-11-17'), NOW)).rejects.toBeInstanceOf(NotFoundError);
    await expect(serveReport(SHOP, 'overview', new URLSearchParams('from=2026-11-17&to=2026-11-16'), NOW)).rejects.toMatchObject({
      details: [{ path: 'from', message: 'from must not be after to' }],
    });
  });
});
