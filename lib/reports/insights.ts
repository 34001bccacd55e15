import { NotFoundError } from '#lib/errors.ts';
import type { Locale, Shop } from '#lib/shops/schema.ts';
import { getShop } from '#lib/store/shops.ts';
import type { ReadStats } from '#lib/store/rollups.ts';
import type { RollupScope } from '#lib/store/keys.ts';
import { UNKNOWN_STAFF } from '#lib/ingest/context.ts';
import { F, missedShiftField } from '#lib/rollups/cells.ts';
import { addDays, isoWeek, isoWeekStart } from '#lib/time/zone.ts';
import { read, selectPages } from '#lib/reports/reading.ts';
import { coverRange, type Piece } from '#lib/reports/range.ts';
import { openMissedWaits } from '#lib/reports/staff-chat.ts';
import { parseInsightsQuery, type InsightsPeriod } from '#lib/insights/query.ts';
import { detectInsights, type Insight } from '#lib/insights/detect.ts';
import type { Cell } from '#lib/insights/figures.ts';
import { insightSentence } from '#lib/insights/sentence.ts';

/**
 * The reading side of insights (SPEC §4.3 "what changed and why"): the
 * rollup items of one digest period and of its four comparison periods,
 * handed to the pure lib/insights/. A daily period compares with the same
 * weekday of the four weeks before, a weekly one (ISO week) with the four
 * weeks before. Items are read through lib/reports/reading.ts over each
 * period's cover (lib/reports/range.ts), as every report reads them, so a
 * change in how periods are stored changes both alike: per page (and `_`)
 * and scope (page, staff, ad), one Query per day for a day (the five days
 * are a week apart), one Query over the five weeks for a week. No raw
 * event is read. Waits still open whose SLA has run out are missed
 * conversations, counted as the staff-chat report counts them (under
 * unknown staff, in the shift the SLA ran out), so the digest's insight and
 * its chat staff table agree; that is one more Query, on the open-wait index.
 */
export const COMPARISON_PERIODS = 4;

export type InsightsReport = {
  shopId: string;
  period: InsightsPeriod;
  from: string;
  to: string;
  /** the comparison periods, newest first */
  comparedWith: Array<{ from: string; to: string }>;
  timezone: string;
  currency: string;
  generatedAt: string;
  lang: Locale;
  insights: Array<Insight & { sentence: string }>;
};

type Span = { from: string; to: string };

/** The period's range, and those of its comparison periods (newest first). */
export function insightPeriods(period: InsightsPeriod, date: string): { current: Span; before: Span[] } {
  if (period === 'daily') {
    const at = (d: string) => ({ from: d, to: d });
    return { current: at(date), before: Array.from({ length: COMPARISON_PERIODS }, (_, k) => at(addDays(date, -7 * (k + 1)))) };
  }
  const start = isoWeekStart(isoWeek(date));
  const at = (from: string) => ({ from, to: addDays(from, 6) });
  return { current: at(start), before: Array.from({ length: COMPARISON_PERIODS }, (_, k) => at(addDays(start, -7 * (k + 1)))) };
}

const SCOPES: RollupScope[] = ['P', 'S', 'A'];

/**
 * The rollup items of each span as insight cells (index = the span's), and
 * the waits still open whose SLA ran out inside it. Spans that follow each
 * other (weeks) are read as one run of pieces.
 */
async function readCells(shop: Shop, spans: Span[], now: number, stats?: ReadStats): Promise<Cell[][]> {
  const ctx = { shop, pages: selectPages(shop, { pageId: [] }), ...(stats ? { stats } : {}) };
  const out: Cell[][] = spans.map(() => []);
  const spanOf = new Map<string, number>();
  const covers: Piece[][] = spans.map((s, i) => {
    const pieces = coverRange(s.from, s.to).pieces;
    for (const p of pieces) spanOf.set(`${p.period}#${p.key}`, i);
    return pieces;
  });
  const chains: number[][] = [];
  for (const i of spans.map((_, i) => i).sort((a, b) => (spans[a]!.from < spans[b]!.from ? -1 : 1))) {
    const last = chains[chains.length - 1];
    if (last && addDays(spans[last[last.length - 1]!]!.to, 1) === spans[i]!.from) last.push(i);
    else chains.push([i]);
  }
  const reads = chains.flatMap((chain) => SCOPES.map((scope) => read(ctx, scope, chain.flatMap((i) => covers[i]!))));
  const [items, open] = await Promise.all([
    Promise.all(reads),
    openMissedWaits(shop, ctx.pages, spans.reduce((a, s) => (s.from < a ? s.from : a), spans[0]!.from), spans.reduce((a, s) => (s.to > a ? s.to : a), spans[0]!.to), now),
  ]);
  for (const i of items.flat()) {
    const at = spanOf.get(`${i.period}#${i.periodKey}`);
    if (at !== undefined) out[at]!.push({ pageId: i.pageId, scope: i.scope, ...(i.entity !== undefined ? { entity: i.entity } : {}), fields: i.fields, attrs: i.attrs });
  }
  for (const w of open) {
    const at = spans.findIndex((s) => s.from <= w.date && w.date <= s.to);
    if (at >= 0) out[at]!.push({ pageId: w.pageId, scope: 'S', entity: UNKNOWN_STAFF, fields: { [F.missed]: 1, [missedShiftField(w.shift)]: 1 } });
  }
  return out;
}

/**
 * The insights of one daily or weekly period of a shop (the period holding
 * `date`), each with its sentence in `lang` (default the shop's locale).
 */
export async function buildInsights(shop: Shop, period: InsightsPeriod, date: string, opts: { lang?: Locale; now?: number; stats?: ReadStats } = {}): Promise<InsightsReport> {
  const p = insightPeriods(period, date);
  const now = opts.now ?? Date.now();
  const [current, ...before] = await readCells(shop, [p.current, ...p.before], now, opts.stats);
  const ctx = { currency: shop.currency, pages: shop.pages, staff: shop.staff, shifts: shop.shifts.map((s) => s.name) };
  const insights = detectInsights(current!, before, ctx);
  const lang = opts.lang ?? shop.locale;
  return {
    shopId: shop.shopId,
    period,
    from: p.current.from,
    to: p.current.to,
    comparedWith: p.before.map(({ from, to }) => ({ from, to })),
    timezone: shop.timezone,
    currency: shop.currency,
    generatedAt: new Date(now).toISOString(),
    lang,
    insights: insights.map((i) => ({ ...i, sentence: insightSentence(i, shop.currency, lang) })),
  };
}

/** `GET /v1/shops/{shopId}/insights?date&period&lang` after authorization. */
export async function serveInsights(shopId: string, params: URLSearchParams, now = Date.now()): Promise<InsightsReport> {
  const q = parseInsightsQuery(params);
  const shop = await getShop(shopId);
  if (!shop) throw new NotFoundError(`Unknown shop ${shopId}`);
  return buildInsights(shop, q.period, q.date, { now, ...(q.lang ? { lang: q.lang } : {}) });
}
