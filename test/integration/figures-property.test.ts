import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestTable } from '#test/support/table.ts';
import { makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { buildReport } from '#lib/reports/build.ts';
import { reportQuerySchema } from '#lib/reports/query.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import type { Shop } from '#lib/shops/schema.ts';
import type { OverviewReport, StaffChatReport, StaffSalesReport } from '#lib/reports/types.ts';

/**
 * Invariants a reader assumes of the figures (SPEC §3, issue 19), over random
 * streams of one shop with two pages, ingested in random batches:
 * - no funnel stage above the one before, over any range;
 * - the funnel of a calendar month, `deliveries` and `costCoverage` equal an
 *   independent count from the events;
 * - median response time ≤ P90, for every staff row of any range;
 * - costCoverage in [0, 1] (null without orders), grossProfit null exactly
 *   when no order of the range has a known cost;
 * - a calendar month is compared with the previous calendar month, exactly.
 *
 * The oracle below reads only the generated events: local dates by adding
 * the shop's fixed +07:00 offset, no code of lib/.
 */

// events from Fri 20 Nov to Sat 12 Dec 2026 (local), read the next day
const BASE = Date.parse('2026-11-20T00:00:00+07:00');
const SPAN_S = 23 * 86_400;
const NOW = Date.parse('2026-12-13T12:00:00+07:00');
const OFFSET_MS = 7 * 3_600_000;

type Spec =
  | { k: 'in'; p: number; c: number; s: number; comment: boolean }
  | { k: 'r'; p: number; c: number; s: number; who: 'lan' | 'minh' | 'auto' | 'unknown' };
type OrderSpec = { o: number; p: number; c: number; s: number; total: number; cost?: number; cancel?: number; deliver?: number };

const sec = fc.integer({ min: 0, max: SPAN_S - 1 });
const page = fc.integer({ min: 0, max: 1 });
const cust = fc.integer({ min: 0, max: 4 });
const specArb: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('in' as const), p: page, c: cust, s: sec, comment: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('r' as const), p: page, c: cust, s: sec, who: fc.constantFrom('lan' as const, 'minh' as const, 'auto' as const, 'unknown' as const) }) },
);
const orderArb: fc.Arbitrary<OrderSpec> = fc.record(
  {
    o: fc.integer({ min: 0, max: 11 }),
    p: page,
    c: cust,
    s: sec,
    total: fc.integer({ min: 1, max: 100 }).map((n) => n * 10_000),
    cost: fc.integer({ min: 0, max: 50 }).map((n) => n * 10_000),
    cancel: fc.integer({ min: 0, max: 3 * 86_400 }),
    // delivered up to 10 days later, often in another month than the creation
    deliver: fc.integer({ min: 3_600, max: 10 * 86_400 }),
  },
  { requiredKeys: ['o', 'p', 'c', 's', 'total'] },
);
const streamArb = fc.record({
  specs: fc.array(specArb, { minLength: 5, maxLength: 50 }),
  orders: fc.uniqueArray(orderArb, { selector: (o) => o.o, maxLength: 8 }),
  sizes: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 5 }),
  keys: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 80, maxLength: 80 }),
});
type Stream = { specs: Spec[]; orders: OrderSpec[] };

const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: number) => iso(BASE + s * 1000);
/** The local date (+07:00) of an instant. */
const localDay = (ms: number) => new Date(ms + OFFSET_MS).toISOString().slice(0, 10);

function eventsOf(shopId: string, stream: Stream): CanonicalEvent[] {
  const pageId = (p: number) => `${shopId}-${p === 0 ? 'fb' : 'ig'}`;
  const out: CanonicalEvent[] = [];
  stream.specs.forEach((s, i) => {
    const id = `${shopId}-e${i}`;
    if (s.k === 'in') out.push({ id, kind: s.comment ? 'comment.received' : 'message.received', at: at(s.s), pageId: pageId(s.p), customerId: `c${s.c}` } as CanonicalEvent);
    else
      out.push({
        id,
        kind: 'reply.sent',
        at: at(s.s),
        pageId: pageId(s.p),
        customerId: `c${s.c}`,
        via: 'message',
        automated: s.who === 'auto',
        ...(s.who === 'lan' || s.who === 'minh' ? { staffId: s.who } : {}),
      });
  });
  for (const o of stream.orders) {
    const orderId = `${shopId}-o${o.o}`;
    out.push({ id: `${orderId}-c`, kind: 'order.created', at: at(o.s), orderId, pageId: pageId(o.p), customerId: `c${o.c}`, total: o.total, ...(o.cost !== undefined ? { cost: o.cost } : {}) });
    // transitions stay before NOW (later ones would be refused as in the future only past a day; keep them plain)
    if (o.cancel !== undefined) out.push({ id: `${orderId}-x`, kind: 'order.cancelled', at: iso(Math.min(NOW - 60_000, BASE + (o.s + o.cancel) * 1000)), orderId });
    if (o.deliver !== undefined) out.push({ id: `${orderId}-d`, kind: 'order.delivered', at: iso(Math.min(NOW - 60_000, BASE + (o.s + o.deliver) * 1000)), orderId });
  }
  return out;
}

/** The oracle: cohort funnel, deliveries and cost coverage of [from, to] (local dates) from the events alone. */
function oracle(events: CanonicalEvent[], from: string, to: string) {
  const inRange = (e: { at: string }) => {
    const d = localDay(Date.parse(e.at));
    return d >= from && d <= to;
  };
  const key = (e: object) => { const x = e as { pageId?: string; customerId?: string }; return `${x.pageId}|${x.customerId}`; };
  const reached = new Set(events.filter((e) => (e.kind === 'message.received' || e.kind === 'comment.received') && inRange(e)).map(key));
  const replied = new Set(events.filter((e) => e.kind === 'reply.sent' && inRange(e)).map(key));
  const cancelled = new Set(events.flatMap((e) => (e.kind === 'order.cancelled' ? [e.orderId] : [])));
  const deliveredAt = new Map(events.flatMap((e) => (e.kind === 'order.delivered' ? [[e.orderId, e.at] as const] : [])));
  const created = events.flatMap((e) => (e.kind === 'order.created' ? [e] : []));
  const liveInRange = created.filter((o) => inRange(o) && !cancelled.has(o.orderId));
  const cared = new Set([...reached].filter((k) => replied.has(k)));
  const ordered = new Set([...cared].filter((k) => liveInRange.some((o) => key(o) === k)));
  const delivered = new Set([...ordered].filter((k) => liveInRange.some((o) => key(o) === k && deliveredAt.has(o.orderId))));
  const deliveries = created.filter((o) => deliveredAt.has(o.orderId) && inRange({ at: deliveredAt.get(o.orderId)! }));
  const withCost = liveInRange.filter((o) => o.cost !== undefined);
  return {
    funnel: { reached: reached.size, cared: cared.size, ordered: ordered.size, delivered: delivered.size },
    deliveries: deliveries.length,
    deliveredRevenue: deliveries.reduce((a, o) => a + o.total, 0),
    costCoverage: liveInRange.length === 0 ? null : Math.round((withCost.length / liveInRange.length) * 10_000) / 10_000,
    grossProfit: withCost.length === 0 ? null : withCost.reduce((a, o) => a + o.total - o.cost!, 0),
  };
}

let run = 0;
async function ingested(stream: Stream & { sizes: number[]; keys: number[] }): Promise<{ shop: Shop; events: CanonicalEvent[] }> {
  const shopId = `fig-${process.pid}-${++run}-${Math.random().toString(36).slice(2, 7)}`;
  const shop = makeShop(shopId, {
    pages: [
      { pageId: `${shopId}-fb`, channel: 'facebook', name: 'fb' },
      { pageId: `${shopId}-ig`, channel: 'instagram', name: 'ig' },
    ],
  });
  expect(await putShop(shop)).toEqual({});
  const events = eventsOf(shopId, stream);
  const shuffled = events.map((e, i) => [stream.keys[i % stream.keys.length]! + i * 1e-9, e] as const).sort((a, b) => a[0] - b[0]).map(([, e]) => e);
  for (let i = 0, b = 0; i < shuffled.length; b++) {
    const n = stream.sizes[b % stream.sizes.length]!;
    const out = await recordBatch(shopId, shuffled.slice(i, i + n), { now: NOW });
    expect(out.dropped).toEqual([]);
    i += n;
  }
  return { shop, events };
}

const q = (from: string, to: string) => reportQuerySchema.parse({ from, to });
/** Random ranges inside the stream's days: single days, ISO weeks, months and arbitrary spans. */
const RANGES: Array<[string, string]> = [
  ['2026-11-20', '2026-11-20'],
  ['2026-11-23', '2026-11-29'], // ISO week 48
  ['2026-11-01', '2026-11-30'],
  ['2026-12-01', '2026-12-31'],
  ['2026-11-27', '2026-12-04'], // across the months, 8 days
  ['2026-11-20', '2026-12-12'],
];

describe('property: figures a reader can trust', () => {
  beforeAll(createTestTable);

  it('funnel stages never exceed the one before; a month matches the independent cohort, deliveries and cost coverage', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, async (stream) => {
        const { shop, events } = await ingested(stream);
        for (const [from, to] of RANGES) {
          const r = (await buildReport('overview', shop, q(from, to), { now: NOW })) as OverviewReport;
          const f = r.funnel;
          expect(f.cared).toBeLessThanOrEqual(f.reached);
          expect(f.ordered).toBeLessThanOrEqual(f.cared);
          expect(f.delivered).toBeLessThanOrEqual(f.ordered);
          for (const t of [r.totals, r.previous, ...r.series]) {
            if (t.costCoverage === null) expect(t.orders).toBe(0);
            else {
              expect(t.costCoverage).toBeGreaterThanOrEqual(0);
              expect(t.costCoverage).toBeLessThanOrEqual(1);
            }
          }
          if (!r.approximate) {
            // one exact piece (a day, an ISO week, a calendar month): the figures are the oracle's
            const o = oracle(events, from, to);
            expect(f).toEqual(o.funnel);
            expect(r.totals).toMatchObject({ deliveries: o.deliveries, deliveredRevenue: o.deliveredRevenue, costCoverage: o.costCoverage, grossProfit: o.grossProfit });
          } else {
            // additive figures are exact over any range
            const o = oracle(events, from, to);
            expect(r.totals).toMatchObject({ deliveries: o.deliveries, deliveredRevenue: o.deliveredRevenue, costCoverage: o.costCoverage, grossProfit: o.grossProfit });
          }
        }
      }),
      { numRuns: 8 },
    );
  }, 240_000);

  it('median response time never exceeds the P90, and sales rows keep coverage in [0, 1]', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, async (stream) => {
        const { shop } = await ingested(stream);
        for (const [from, to] of RANGES) {
          const chat = (await buildReport('staff-chat', shop, q(from, to), { now: NOW })) as StaffChatReport;
          for (const row of chat.rows) {
            expect(row.responseTimeMedianSeconds === null).toBe(row.responseTimeP90Seconds === null);
            if (row.responseTimeMedianSeconds !== null) expect(row.responseTimeMedianSeconds).toBeLessThanOrEqual(row.responseTimeP90Seconds!);
            // no all-zero rows
            expect(row.messageReplies + row.commentReplies + row.missedConversations + (row.responseTimeP90Seconds ?? 0) + row.conversationsAnswered).toBeGreaterThan(0);
          }
          const sales = (await buildReport('staff-sales', shop, q(from, to), { now: NOW })) as StaffSalesReport;
          for (const row of sales.rows) {
            if (row.costCoverage !== null) expect(row.costCoverage >= 0 && row.costCoverage <= 1).toBe(true);
            expect(row.ordersCreated + row.customersCared).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 6 },
    );
  }, 240_000);

  it('a calendar month is compared with the previous calendar month, exactly', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, async (stream) => {
        const { shop, events } = await ingested(stream);
        const dec = (await buildReport('overview', shop, q('2026-12-01', '2026-12-31'), { now: NOW })) as OverviewReport;
        expect(dec.previousRange).toEqual({ from: '2026-11-01', to: '2026-11-30' });
        expect(dec.approximate).toBeUndefined();
        const nov = (await buildReport('overview', shop, q('2026-11-01', '2026-11-30'), { now: NOW })) as OverviewReport;
        expect(nov.previousRange).toEqual({ from: '2026-10-01', to: '2026-10-31' });
        // December's `previous` is November's totals, read the same way (pagesActivated is "now" in both)
        expect(dec.previous).toEqual(nov.totals);
        expect(dec.previous.customersReached).toBe(oracle(events, '2026-11-01', '2026-11-30').funnel.reached);
      }),
      { numRuns: 4 },
    );
  }, 240_000);
});
