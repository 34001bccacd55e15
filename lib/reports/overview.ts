import { F, hourField } from '#lib/rollups/cells.ts';
import { UNKNOWN_STAFF } from '#lib/ingest/context.ts';
import type { RollupItem } from '#lib/store/rollups.ts';
import { coverRange, dayPieces, previousRange } from '#lib/reports/range.ts';
import type { ReportQuery } from '#lib/reports/query.ts';
import type { Funnel, OverviewReport, TopStaff } from '#lib/reports/types.ts';
import { dailySeries, monthlySeries, totalsOf } from '#lib/reports/totals.ts';
import { salesRows } from '#lib/reports/staff-sales.ts';
import { byEntity, connectedNow, header, isLong, read, sumItems, type Ctx, type Fields } from '#lib/reports/reading.ts';

/**
 * The overview: totals over the range's cover; `previous` over the cover of
 * the period a reader compares with (see `previousRange`: the previous
 * calendar month, ISO week or day, else the range of equal length before);
 * the cohort funnel; the series (per day; per month over 62 days); hour
 * profiles summed over the items read (every rollup period carries them,
 * summed over its days); and the top 5 staff by revenue, then customers
 * cared (`unknown` and `automated` left out).
 */
export async function overview(ctx: Ctx, q: ReportQuery, now: number): Promise<OverviewReport> {
  const { shop } = ctx;
  const long = isLong(q);
  const cover = coverRange(q.from, q.to, long ? { withinMonths: true } : {});
  const prevRange = previousRange(q.from, q.to);
  const prevCover = coverRange(prevRange.from, prevRange.to);
  const connected = await connectedNow(shop, ctx.pages);

  const days = long ? undefined : await read(ctx, 'P', dayPieces(q.from, q.to));
  const [items, prevItems, staffItems] = await Promise.all([read(ctx, 'P', cover.pieces, days), read(ctx, 'P', prevCover.pieces), read(ctx, 'S', cover.pieces)]);
  const fields = sumItems(items);
  const totals = totalsOf(fields, shop.currency, connected);
  const series = long ? monthlySeries(items, cover, q, shop.currency, connected) : dailySeries(days!, q, shop.currency, connected);
  const hours = hourProfile(long ? items : days!);
  const topStaff: TopStaff[] = salesRows(shop, byEntity(staffItems))
    .filter((r) => r.staffId !== UNKNOWN_STAFF)
    .sort((a, b) => b.revenue - a.revenue || b.customersCared - a.customersCared || a.staffId.localeCompare(b.staffId))
    .slice(0, 5)
    .map((r) => ({ staffId: r.staffId, name: r.name, customersCared: r.customersCared, revenue: r.revenue, conversionRate: r.conversionRate }));

  return {
    ...header(shop, q, now, !cover.exactDistinct || !prevCover.exactDistinct),
    totals,
    previous: totalsOf(sumItems(prevItems), shop.currency, connected),
    previousRange: prevRange,
    funnel: funnelOf(fields),
    seriesPeriod: long ? 'month' : 'day',
    series,
    reachByHour: hours.reach,
    interactionsByHour: hours.interactions,
    topStaff,
  };
}

/**
 * The cohort funnel of SPEC §3 from summed page-scope fields: reached =
 * customersReached; cared, ordered, delivered = the cohort marks (each a
 * subset of the stage before for every customer and period, so their sums
 * keep that order over any cover).
 */
export function funnelOf(f: Fields): Funnel {
  return { reached: f[F.customersReached] ?? 0, cared: f[F.cohortCared] ?? 0, ordered: f[F.cohortOrdered] ?? 0, delivered: f[F.cohortDelivered] ?? 0 };
}

function hourProfile(items: RollupItem[]): { reach: number[]; interactions: number[] } {
  const f = sumItems(items);
  return {
    reach: Array.from({ length: 24 }, (_, h) => f[hourField('r', h)] ?? 0),
    interactions: Array.from({ length: 24 }, (_, h) => (f[hourField('m', h)] ?? 0) + (f[hourField('c', h)] ?? 0)),
  };
}
