import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { makeMessage, makeOrder, makeReply, makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { buildInsights } from '#lib/reports/insights.ts';
import { buildReport } from '#lib/reports/build.ts';
import { serveReport } from '#lib/reports/serve.ts';
import { sendDigest } from '#lib/digests/send.ts';
import { setMailTransport } from '#lib/digests/transport.ts';
import { OutboxTransport } from '#lib/mail/outbox.ts';
import { newReadStats } from '#lib/store/rollups.ts';
import { ROLLUP_SHARDS } from '#lib/store/keys.ts';
import { handler as report } from '#functions/report/handler.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import type { ReportName, StaffChatReport } from '#lib/reports/types.ts';

/**
 * Insights end to end on DynamoDB Local: six Tuesdays of events, five
 * ordinary (40 customers answered within 2 minutes, 2 missed in the
 * evening, 8 orders) and the last with 15 more customers on the livestream
 * page left waiting from 19:00 until 20:30, and 3 who wrote at 21:00 and
 * are still waiting the next morning (their SLA ran out at 21:15: missed, as
 * the staff-chat report counts them). The digest, the JSON route and the
 * html overview tell the same insight, with the figures of the digest's chat
 * staff table; an ordinary Tuesday tells none.
 */
const SHOP = 'ins';
const LIVE = 'ins-live';
const ZALO = 'ins-zalo';
const TUESDAYS = ['2026-10-20', '2026-10-27', '2026-11-03', '2026-11-10', '2026-11-17', '2026-11-24'];
const TODAY = '2026-11-24';
const NOW = Date.parse('2026-11-25T08:00:00+07:00');
const UNSUBSCRIBE = (period: string, email: string) => `https://api.example.com/v1/unsubscribe?shop=${SHOP}&email=${encodeURIComponent(email)}&period=${period}&sig=x`;

const at = (day: string, hm: string) => `${day}T${hm}:00+07:00`;
const hm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

function tuesday(day: string, storm: boolean): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (const pageId of [LIVE, ZALO]) {
    for (let i = 0; i < 20; i++) {
      const customerId = `${pageId}-${day}-c${i}`;
      out.push(makeMessage({ id: `${customerId}-m`, pageId, customerId, at: at(day, hm(600 + i * 10)) }));
      out.push(makeReply({ id: `${customerId}-r`, pageId, customerId, at: at(day, hm(602 + i * 10)), staffId: i % 2 ? 'minh' : 'lan' }));
      if (i < 4) out.push(makeOrder({ id: `${customerId}-o`, orderId: `${customerId}-o`, pageId, customerId, at: at(day, hm(605 + i * 10)), total: 250_000, staffId: 'lan' }));
    }
    // one customer a day waits 40 minutes in the evening
    const late = `${pageId}-${day}-late`;
    out.push(makeMessage({ id: `${late}-m`, pageId, customerId: late, at: at(day, '19:00') }));
    out.push(makeReply({ id: `${late}-r`, pageId, customerId: late, at: at(day, '19:40'), staffId: 'lan' }));
  }
  if (storm) {
    for (let i = 0; i < 15; i++) {
      const c = `${LIVE}-${day}-storm${i}`;
      out.push(makeMessage({ id: `${c}-m`, pageId: LIVE, customerId: c, at: at(day, hm(19 * 60 + i)) }));
      out.push(makeReply({ id: `${c}-r`, pageId: LIVE, customerId: c, at: at(day, '20:30'), staffId: 'minh' }));
    }
    for (let i = 0; i < 3; i++) out.push(makeMessage({ id: `${LIVE}-${day}-open${i}-m`, pageId: LIVE, customerId: `${LIVE}-${day}-open${i}`, at: at(day, '21:00') }));
  }
  return out;
}

const shop = makeShop(SHOP, {
  name: 'Hoa Mai',
  pages: [
    { pageId: LIVE, channel: 'facebook', name: 'Hoa Mai Livestream' },
    { pageId: ZALO, channel: 'zalo', name: 'Hoa Mai Zalo' },
  ],
  recipients: [
    { email: 'owner@hoamai.vn', daily: true, weekly: true },
    { email: 'manager@hoamai.vn', locale: 'en', daily: true, weekly: false },
  ],
});

const EN = 'Missed conversations 10× usual (20 vs 2): 20 in the evening shift (usually 2), mostly on page Hoa Mai Livestream';
const VI = 'Khách bị bỏ lỡ cao gấp 10 lần thường lệ (20 so với 2): 20 trong ca tối (thường lệ 2), phần lớn ở trang Hoa Mai Livestream';

describe('insights over the rollups', () => {
  beforeAll(async () => {
    await createTestTable();
    await putShop(shop);
    for (const day of TUESDAYS) {
      const r = await recordBatch(SHOP, tuesday(day, day === TODAY), { now: Date.parse(`${day}T23:00:00+07:00`) });
      expect(r.dropped ?? []).toEqual([]);
    }
  }, 120_000);
  afterEach(() => setMailTransport(undefined));

  it('an ordinary Tuesday has none', async () => {
    const r = await buildInsights(shop, 'daily', '2026-11-17', { now: NOW });
    expect(r.comparedWith.map((p) => p.from)).toEqual(['2026-11-10', '2026-11-03', '2026-10-27', '2026-10-20']);
    expect(r.insights).toEqual([]);
  });

  it('the stormy Tuesday: missed conversations, in the evening shift, on the livestream page', async () => {
    // usually 2 missed (one per page, evening); today 2 + 15 answered late + 3 still waiting on the livestream page, all 20 in the evening
    const r = await buildInsights(shop, 'daily', TODAY, { now: NOW, lang: 'en' });
    expect(r.insights).toHaveLength(1);
    const [i] = r.insights;
    expect(i).toMatchObject({ figure: 'missedConversations', value: 20, usual: 2, place: { dimension: 'shift', id: 'evening', value: 20 }, also: { dimension: 'page', id: LIVE } });
    expect(i!.sentence).toBe(EN);
    expect((await buildInsights(shop, 'daily', TODAY, { now: NOW })).insights[0]!.sentence).toBe(VI);
  });

  it('weekly: the week of the storm against the four weeks before', async () => {
    const r = await buildInsights(shop, 'weekly', '2026-11-26', { now: NOW, lang: 'en' });
    expect([r.from, r.to]).toEqual(['2026-11-23', '2026-11-29']);
    expect(r.comparedWith[0]).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(r.insights.map((i) => i.figure)).toEqual(['missedConversations']);
    expect(r.insights[0]!.sentence).toBe(EN);
  });

  it('agrees with the chat staff figures the same digest shows (waits still open included)', async () => {
    const q = { from: TODAY, to: TODAY, pageId: [], granularity: 'day' as const, format: 'json' as const };
    const staff = (await buildReport('staff-chat', shop, q, { now: NOW })) as StaffChatReport;
    const [i] = (await buildInsights(shop, 'daily', TODAY, { now: NOW })).insights;
    // 15 answered late by Minh, 2 usual ones by Lan, 3 nobody has answered yet
    expect(staff.rows.map((r) => [r.staffId, r.missedConversations])).toEqual([['lan', 2], ['minh', 15], ['unknown', 3]]);
    expect(i!.value).toBe(staff.rows.reduce((a, r) => a + r.missedConversations, 0));
    expect(i!.place!.value).toBe(staff.shifts.find((s) => s.shift === 'evening')!.missedConversations);
  });

  it('GET /v1/shops/{shopId}/insights: JSON with the sentence in the asked language; a bad query is a 400', async () => {
    const res = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/insights`, query: `date=${TODAY}&lang=en`, authorizer: { shopId: SHOP } }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ shopId: SHOP, period: 'daily', from: TODAY, to: TODAY, lang: 'en' });
    expect(res.body.insights.map((i: { sentence: string }) => i.sentence)).toEqual([EN]);
    const bad = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/insights`, query: 'date=2026-13-01&period=monthly', authorizer: { shopId: SHOP } }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['date', 'period']);
    const other = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/insights`, query: `date=${TODAY}`, authorizer: { shopId: 'someone-else' } }));
    expect(other.status).toBe(403);
  });

  it('the html overview of the day has them at the top; of another range, not', async () => {
    const day = await serveReport(SHOP, 'overview', new URLSearchParams({ from: TODAY, to: TODAY, format: 'html' }), NOW);
    const html = day.body as string;
    expect(html).toContain('Điều gì đã thay đổi');
    expect(html).toContain(VI);
    expect(html.indexOf(VI)).toBeLessThan(html.indexOf('Chỉ số chính'));
    const range = await serveReport(SHOP, 'overview', new URLSearchParams({ from: '2026-11-23', to: TODAY, format: 'html' }), NOW);
    expect(range.body as string).not.toContain('Điều gì đã thay đổi');
  });

  it('the digest shows them first, in each recipient’s language, HTML and text', async () => {
    const outbox = mkdtempSync(path.join(tmpdir(), 'chatpulse-insights-'));
    setMailTransport(new OutboxTransport(outbox));
    const now = new Date(NOW);
    for (const email of ['owner@hoamai.vn', 'manager@hoamai.vn']) {
      expect(await sendDigest({ shopId: SHOP, period: 'daily', periodKey: TODAY, email, unsubscribeUrl: UNSUBSCRIBE('daily', email) }, now)).toBe('sent');
    }
    const files = readdirSync(outbox);
    const html = (who: string) => readFileSync(path.join(outbox, files.find((f) => f.includes(who) && f.endsWith('.html'))!), 'utf8');
    const eml = (who: string) => readFileSync(path.join(outbox, files.find((f) => f.includes(who) && f.endsWith('.eml'))!), 'utf8');
    expect(html('owner')).toContain(VI);
    expect(html('owner').indexOf(VI)).toBeLessThan(html('owner').indexOf('Chỉ số chính'));
    expect(html('manager')).toContain(EN);
    expect(html('manager')).toContain('What changed');
    expect(eml('manager')).toContain('WHAT CHANGED');
  });

  it('read cost: the insights of a day read 5 day keys × 3 scopes × 3 pages (with `_`), shards included', async () => {
    const withInsights = newReadStats();
    await buildInsights(shop, 'daily', TODAY, { now: NOW, stats: withInsights });
    expect(withInsights.queries).toBe(5 * 3 * 3 * ROLLUP_SHARDS);
    const digest = newReadStats();
    const q = { from: TODAY, to: TODAY, pageId: [], granularity: 'day' as const, format: 'json' as const };
    for (const name of ['overview', 'staff-chat', 'staff-sales', 'ads', 'referrals'] as ReportName[]) await buildReport(name, shop, q, { now: NOW, stats: digest });
    const weekly = newReadStats();
    await buildInsights(shop, 'weekly', TODAY, { now: NOW, stats: weekly });
    expect(weekly.queries).toBe(3 * 3 * ROLLUP_SHARDS); // one Query over the five week keys
    console.log(`read cost of one daily digest: reports ${digest.queries} queries, ${digest.items} items, ${digest.capacityUnits} RCU; insights add ${withInsights.queries} queries, ${withInsights.items} items, ${withInsights.capacityUnits} RCU (weekly insights: ${weekly.queries} queries, ${weekly.items} items, ${weekly.capacityUnits} RCU)`);
  });
});
