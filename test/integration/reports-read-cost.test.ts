import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { buildReport } from '#lib/reports/build.ts';
import { coverRange, previousRange } from '#lib/reports/range.ts';
import { reportQuerySchema } from '#lib/reports/query.ts';
import { newReadStats } from '#lib/store/rollups.ts';
import { addDays } from '#lib/time/zone.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import type { OverviewReport } from '#lib/reports/types.ts';

/**
 * Reports read rollup items, O(periods) per page and scope, never events.
 * Items are counted with the ReadStats of getRollups (the page-state read and
 * the open-wait Query are not rollup reads and are not counted).
 */
const PAGE = 'cost-page';
const END = '2026-11-19'; // Thu
const NOW = Date.parse(`${END}T23:00:00+07:00`);
const STAFF = ['lan', 'minh'];

/** 100 events a day: 25 customers × (2 messages + 1 reply), 15 orders, 10 replies more. */
function dayEvents(day: string, d: number): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  const t = (min: number) => new Date(Date.parse(`${day}T08:00:00+07:00`) + min * 60_000).toISOString().replace('Z', '+00:00');
  for (let c = 0; c < 25; c++) {
    const customerId = `c${(d * 7 + c) % 120}`;
    out.push({ id: `${day}-m1-${c}`, kind: 'message.received', at: t(c * 20), pageId: PAGE, customerId });
    out.push({ id: `${day}-m2-${c}`, kind: 'message.received', at: t(c * 20 + 1), pageId: PAGE, customerId });
    const automated = c % 5 === 0;
    out.push({ id: `${day}-r-${c}`, kind: 'reply.sent', at: t(c * 20 + 3 + (c % 4) * 5), pageId: PAGE, customerId, via: 'message', automated, ...(automated ? {} : { staffId: STAFF[c % 2]! }) });
  }
  for (let c = 0; c < 10; c++) {
    const customerId = `c${(d * 7 + c) % 120}`;
    out.push({ id: `${day}-r2-${c}`, kind: 'reply.sent', at: t(c * 20 + 15), pageId: PAGE, customerId, via: 'message', automated: false, staffId: STAFF[c % 2]! });
  }
  for (let o = 0; o < 15; o++) {
    const customerId = `c${(d * 7 + o) % 120}`;
    out.push({ id: `${day}-o-${o}`, kind: 'order.created', at: t(o * 20 + 10), orderId: `${day}-O${o}`, pageId: PAGE, customerId, staffId: STAFF[o % 2]!, total: 100000 + o * 1000 });
  }
  return out;
}

const shop = makeShop('cost', { pages: [{ pageId: PAGE, channel: 'facebook', name: 'Cost page' }] });
const q = (from: string, to: string) => reportQuerySchema.parse({ from, to });

describe('report read cost', () => {
  let events = 0;
  beforeAll(async () => {
    await createTestTable();
    await putShop(shop);
    const all: CanonicalEvent[] = [];
    for (let d = 0; d < 30; d++) all.push(...dayEvents(addDays(END, d - 29), d));
    events = all.length;
    for (let i = 0; i < all.length; i += 500) {
      const r = await recordBatch('cost', all.slice(i, i + 500), { now: NOW });
      expect(r.dropped ?? []).toEqual([]);
    }
  }, 120_000);

  it('a 30-day overview reads ~30 day items plus a few weeks per page and scope', async () => {
    expect(events).toBe(3000);
    const from = addDays(END, -29); // Wed 2026-10-21
    const r = (await buildReport('overview', shop, q(from, END), { now: NOW, stats: newReadStats() })) as OverviewReport;
    expect(r.totals.messagesReceived).toBe(1500); // 30 days × 25 customers × 2
    expect(r.totals.ordersCreated).toBe(450); // 30 × 15

    // Oct 21–25 (5 days), W44, W45, W46, Nov 16–19 (4 days): 12 pieces
    expect(coverRange(from, END).pieces.map((p) => p.period).join('')).toBe('DDDDDWWWDDDD');
    const overview = newReadStats();
    await buildReport('overview', shop, q(from, END), { now: NOW, stats: overview });
    const sales = newReadStats(); // staff scope alone, same cover
    await buildReport('staff-sales', shop, q(from, END), { now: NOW, stats: sales });
    const pageScope = overview.items - sales.items;
    // page scope: 30 day items (series, and the day pieces of the cover) + 3 week items; previous range has no data
    expect(pageScope).toBe(33);
    // staff scope: 12 pieces × 3 entities (lan, minh, automated)
    expect(sales.items).toBe(36);
    expect(sales.items / 3).toBeLessThanOrEqual(40);
    expect(overview.items).toBeLessThan(events / 40);
    console.log(`30-day overview: ${overview.items} items in ${overview.queries} queries (${pageScope} page-scope, ${sales.items} staff-scope), ${overview.capacityUnits} RCU, for ${events} events`);
  });

  it('a 365-day overview reads month items, not day items', async () => {
    const from = addDays(END, -364); // 2025-11-20
    const year = newReadStats();
    const r = (await buildReport('overview', shop, q(from, END), { now: NOW, stats: year })) as OverviewReport;
    expect(r.seriesPeriod).toBe('month');
    expect(r.series.map((s) => s.date)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
    // October 2026 holds Oct 21–31 (11 days × 50 messages), November 1–19 (19 × 50)
    expect(r.series.find((s) => s.date === '2026-10')!.messagesReceived).toBe(550);
    expect(r.series.find((s) => s.date === '2026-11')!.messagesReceived).toBe(950);
    expect(r.totals.messagesReceived).toBe(1500);
    const sales = newReadStats();
    await buildReport('staff-sales', shop, q(from, END), { now: NOW, stats: sales });
    const pageScope = year.items - sales.items;
    // data only in the last 30 days: M 2026-10, Nov 1 (Sun), W45, W46, Nov 16–19 → 8 page items, × 3 staff entities
    expect(pageScope).toBe(8);
    expect(sales.items).toBe(24);
    expect(pageScope).toBeLessThanOrEqual(15);
    console.log(`365-day overview: ${year.items} items in ${year.queries} queries (${pageScope} page-scope, ${sales.items} staff-scope)`);
  });

  it('with data on every day, a year costs its two covers (23 + 29 page items), not 730 day items', async () => {
    const dense = makeShop('dense', { pages: [{ pageId: 'dense-page', channel: 'facebook', name: 'Dense' }] });
    await putShop(dense);
    // one message a day for two years, each ingested "on the day" so it is not refused as late
    const start = addDays(END, -729);
    for (let d = 0; d < 730; d += 20) {
      const batch: CanonicalEvent[] = [];
      for (let k = d; k < Math.min(d + 20, 730); k++) {
        const day = addDays(start, k);
        batch.push({ id: `dense-${day}`, kind: 'message.received', at: `${day}T10:00:00+07:00`, pageId: 'dense-page', customerId: `c${k % 9}` });
      }
      await recordBatch('dense', batch, { now: Date.parse(`${addDays(start, Math.min(d + 19, 729))}T23:00:00+07:00`) });
    }
    const from = addDays(END, -364);
    const stats = newReadStats();
    const r = (await buildReport('overview', dense, reportQuerySchema.parse({ from, to: END }), { now: NOW, stats }));
    expect((r as OverviewReport).totals.messagesReceived).toBe(365);
    const prev = previousRange(from, END);
    const cur = coverRange(from, END, { withinMonths: true }).pieces.length; // 4 D + W48 + 11 M + D + 2 W + 4 D = 23
    expect(cur).toBe(23);
    const before = coverRange(prev.from, prev.to).pieces.length;
    // staff scope: no replies, so only page items: one per piece of each cover
    expect(stats.items).toBe(cur + before);
    console.log(`365-day overview, a message every day: ${stats.items} items (${cur} + ${before} pieces) in ${stats.queries} queries`);
  }, 120_000);
});
