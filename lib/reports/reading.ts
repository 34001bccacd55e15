import { ValidationError } from '#lib/errors.ts';
import type { Shop } from '#lib/shops/schema.ts';
import { AUTOMATED, NO_PAGE, UNKNOWN_STAFF } from '#lib/ingest/context.ts';
import { getRollups, type ReadStats, type RollupItem } from '#lib/store/rollups.ts';
import { getPageStates } from '#lib/store/shops.ts';
import type { RollupScope } from '#lib/store/keys.ts';
import { daysBetween } from '#lib/time/zone.ts';
import { runsOf, type Piece } from '#lib/reports/range.ts';
import type { ReportQuery } from '#lib/reports/query.ts';
import type { ReportHeader } from '#lib/reports/types.ts';

/**
 * What every report (lib/reports/<report>.ts) reads with: the pages a query
 * selects, rollup items of a range's cover (one Query per page and run of
 * same-type pieces), sums of fields, the report header, and the small rules
 * shared by several reports (staff names, ratios).
 */
export type BuildOptions = { now?: number; stats?: ReadStats };

export type Fields = Record<string, number>;
export type Connected = { pages: number; channels: number };
export type Ctx = { shop: Shop; pages: string[]; stats?: ReadStats };

/** Ranges longer than this get a monthly series. */
export const SERIES_BY_MONTH_AFTER_DAYS = 62;

export const isLong = (q: Pick<ReportQuery, 'from' | 'to'>) => daysBetween(q.from, q.to) + 1 > SERIES_BY_MONTH_AFTER_DAYS;

export function add(into: Fields, from: Fields): Fields {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}
export const sumItems = (items: RollupItem[]): Fields => items.reduce((acc, i) => add(acc, i.fields), {} as Fields);
/** a / b rounded to 4 decimals, null when b is 0. */
export const ratio = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

/**
 * The pages a query selects: the `pageId` list (every id must be one of the
 * shop's pages, else ValidationError), narrowed to `channel`; with neither
 * filter, every configured page plus `_`, the page of orders and spend that
 * could not be linked to a page.
 */
export function selectPages(shop: Shop, q: Pick<ReportQuery, 'pageId' | 'channel'>): string[] {
  const known = new Map(shop.pages.map((p) => [p.pageId, p.channel]));
  const unknown = q.pageId.filter((p) => !known.has(p));
  if (unknown.length > 0) throw new ValidationError('Unknown page', unknown.map((p) => ({ path: 'pageId', message: `page ${p} is not registered for this shop` })));
  let pages = q.pageId.length > 0 ? [...new Set(q.pageId)] : shop.pages.map((p) => p.pageId);
  if (q.channel) pages = pages.filter((p) => known.get(p) === q.channel);
  return q.pageId.length === 0 && !q.channel ? [...pages, NO_PAGE] : pages;
}

/**
 * Rollup items of the given pieces for every selected page and one scope:
 * one Query per page and run of pieces. Day pieces are taken from `days`
 * (already read) when given.
 */
export async function read(ctx: Ctx, scope: RollupScope, pieces: Piece[], days?: RollupItem[], pages = ctx.pages): Promise<RollupItem[]> {
  const out: RollupItem[] = [];
  for (const run of runsOf(pieces)) {
    if (run.period === 'D' && days) {
      out.push(...days.filter((i) => run.keys.has(i.periodKey)));
      continue;
    }
    const per = await Promise.all(pages.map((p) => getRollups(ctx.shop.shopId, p, scope, run.period, run.fromKey, run.toKey, ctx.stats)));
    for (const items of per) out.push(...items.filter((i) => run.keys.has(i.periodKey)));
  }
  return out;
}

/**
 * `pagesActivated`: selected configured pages connected now (latest page
 * event not a disconnection; a page with no page event yet counts as
 * connected). `channelsConnected`: the number of distinct channels
 * (facebook, instagram, zalo) among those connected pages.
 */
export async function connectedNow(shop: Shop, pages: string[]): Promise<Connected> {
  const selected = shop.pages.filter((p) => pages.includes(p.pageId));
  const states = await getPageStates(shop.shopId, selected.map((p) => p.pageId));
  const connected = selected.filter((_, i) => states[i]?.connected !== false);
  return { pages: connected.length, channels: new Set(connected.map((p) => p.channel)).size };
}

export function header(shop: Shop, q: ReportQuery, now: number, approximate: boolean): ReportHeader {
  return {
    shopId: shop.shopId,
    from: q.from,
    to: q.to,
    timezone: shop.timezone,
    currency: shop.currency,
    generatedAt: new Date(now).toISOString(),
    ...(approximate ? { approximate: true } : {}),
  };
}

/** Items summed per entity (staff id, ad id); string attributes merged. */
export function byEntity(items: RollupItem[]): Map<string, { fields: Fields; attrs: Record<string, string> }> {
  const out = new Map<string, { fields: Fields; attrs: Record<string, string> }>();
  for (const i of items) {
    const e = i.entity ?? '';
    const cur = out.get(e) ?? { fields: {}, attrs: {} };
    add(cur.fields, i.fields);
    Object.assign(cur.attrs, i.attrs);
    out.set(e, cur);
  }
  return out;
}

export function staffName(shop: Shop, id: string): string {
  if (id === UNKNOWN_STAFF) return shop.locale === 'en' ? 'Unknown' : 'Không xác định';
  if (id === AUTOMATED) return shop.locale === 'en' ? 'Automated' : 'Tự động';
  return shop.staff.find((s) => s.staffId === id)?.name ?? id;
}

/** Configured staff first (config order), then other entities that have data. */
export function staffIds(shop: Shop, withData: Iterable<string>, exclude: string[] = []): string[] {
  const ids = new Set(shop.staff.map((s) => s.staffId));
  for (const id of withData) if (id !== '' && !exclude.includes(id)) ids.add(id);
  return [...ids];
}
