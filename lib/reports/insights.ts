import { NotFoundError } from '#lib/errors.ts';
import type { Locale, Shop } from '#lib/shops/schema.ts';
import { getShop } from '#lib/store/shops.ts';
import { getRollups, type ReadStats } from '#lib/store/rollups.ts';
import type { Period, RollupScope } from '#lib/store/keys.ts';
import { NO_PAGE } from '#lib/ingest/context.ts';
import { addDays, isoWeek, isoWeekStart } from '#lib/time/zone.ts';
import { parseInsightsQuery, type InsightsPeriod } from '#lib/insights/query.ts';
import { detectInsights, type Insight } from '#lib/insights/detect.ts';
import type { Cell } from '#lib/insights/figures.ts';
import { insightSentence } from '#lib/insights/sentence.ts';

/**
 * The reading side of insights (SPEC §4.3 "what changed and why"): the
 * rollup items of one digest period and of its four comparison periods,
 * handed to the pure lib/insights/. A daily period compares with the same
 * weekday of the four weeks before, a weekly one (ISO week) with the four
 * weeks before. Reads stay within the rollups: per page (and `_`) and scope
 * (page, staff, ad), one Query per period key for a day (the five days are
 * a week apart), one Query over the five week keys for a week; no raw
 * event, no open-wait scan (a wait still open counts as missed once it is
 * answered).
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

/** The period's range and rollup key, and those of its comparison periods (newest first). */
export function insightPeriods(period: InsightsPeriod, date: string): { rollup: Period; current: { key: string; from: string; to: string }; before: Array<{ key: string; from: string; to: string }> } {
  if (period === 'daily') {
    const at = (d: string) => ({ key: d, from: d, to: d });
    return { rollup: 'D', current: at(date), before: Array.from({ length: COMPARISON_PERIODS }, (_, k) => at(addDays(date, -7 * (k + 1)))) };
  }
  const start = isoWeekStart(isoWeek(date));
  const at = (from: string) => ({ key: isoWeek(from), from, to: addDays(from, 6) });
  return { rollup: 'W', current: at(start), before: Array.from({ length: COMPARISON_PERIODS }, (_, k) => at(addDays(start, -7 * (k + 1)))) };
}

const SCOPES: RollupScope[] = ['P', 'S', 'A'];

/** Rollup items of the period and its comparison periods, as insight cells, per period key. */
async function readCells(shop: Shop, rollup: Period, keys: string[], stats?: ReadStats): Promise<Map<string, Cell[]>> {
  const pages = [...shop.pages.map((p) => p.pageId), NO_PAGE];
  const byKey = new Map<string, Cell[]>(keys.map((k) => [k, []]));
  // days a week apart: one Query each; weeks are adjacent: one Query over all five
  const ranges = rollup === 'D' ? keys.map((k) => [k, k] as const) : [[keys.reduce((a, b) => (a < b ? a : b)), keys.reduce((a, b) => (a > b ? a : b))] as const];
  const reads = pages.flatMap((pageId) => SCOPES.flatMap((scope) => ranges.map(([from, to]) => getRollups(shop.shopId, pageId, scope, rollup, from, to, stats))));
  for (const items of await Promise.all(reads)) {
    for (const i of items) {
      byKey.get(i.periodKey)?.push({ pageId: i.pageId, scope: i.scope, ...(i.entity !== undefined ? { entity: i.entity } : {}), fields: i.fields, attrs: i.attrs });
    }
  }
  return byKey;
}

/**
 * The insights of one daily or weekly period of a shop (the period holding
 * `date`), each with its sentence in `lang` (default the shop's locale).
 */
export async function buildInsights(shop: Shop, period: InsightsPeriod, date: string, opts: { lang?: Locale; now?: number; stats?: ReadStats } = {}): Promise<InsightsReport> {
  const p = insightPeriods(period, date);
  const cells = await readCells(shop, p.rollup, [p.current.key, ...p.before.map((b) => b.key)], opts.stats);
  const ctx = { currency: shop.currency, pages: shop.pages, staff: shop.staff, shifts: shop.shifts.map((s) => s.name) };
  const insights = detectInsights(cells.get(p.current.key)!, p.before.map((b) => cells.get(b.key)!), ctx);
  const lang = opts.lang ?? shop.locale;
  return {
    shopId: shop.shopId,
    period,
    from: p.current.from,
    to: p.current.to,
    comparedWith: p.before.map(({ from, to }) => ({ from, to })),
    timezone: shop.timezone,
    currency: shop.currency,
    generatedAt: new Date(opts.now ?? Date.now()).toISOString(),
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
