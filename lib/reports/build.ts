import type { Shop } from '#lib/shops/schema.ts';
import type { ReportQuery } from '#lib/reports/query.ts';
import type { AdsReport, ConversationsReport, OverviewReport, ReferralsReport, ReportName, StaffChatReport, StaffSalesReport } from '#lib/reports/types.ts';
import { selectPages, type BuildOptions, type Ctx } from '#lib/reports/reading.ts';
import { overview } from '#lib/reports/overview.ts';
import { conversations } from '#lib/reports/conversations.ts';
import { staffChat } from '#lib/reports/staff-chat.ts';
import { staffSales } from '#lib/reports/staff-sales.ts';
import { ads } from '#lib/reports/ads.ts';
import { referrals } from '#lib/reports/referrals.ts';

/**
 * Report use cases of SPEC §4.1, one module per report
 * (lib/reports/<report>.ts) over lib/reports/reading.ts, computed from rollup
 * items only, never from raw events. Reads are O(pages × periods): for each
 * selected page and scope, one Query per run of same-type pieces of the
 * range's cover (see `coverRange` and `runsOf`), so a 30-day overview reads
 * about 30 day items plus a few week items per page, and a year about 12
 * month items plus the partial weeks and days at its edges.
 *
 * Ranges of more than 62 days build their series from the cover pieces
 * grouped by calendar month (entries keyed `YYYY-MM`; the first and last
 * month cover only the days inside the range) instead of one day item per
 * day, so a 365-day overview does not read 365 day items per page.
 *
 * `approximate: true` is set when a distinct count (customers reached,
 * cared, answered, ordered, referral participants…) in the response was
 * summed over more than one rollup period; see `Cover` for the bound.
 */
export type { BuildOptions } from '#lib/reports/reading.ts';
export { selectPages, SERIES_BY_MONTH_AFTER_DAYS } from '#lib/reports/reading.ts';
export { p90FromHistogram, medianFromHistogram } from '#lib/reports/staff-chat.ts';
export type AnyReport = OverviewReport | ConversationsReport | StaffChatReport | StaffSalesReport | AdsReport | ReferralsReport;

/** Builds one report of SPEC §4.1 (JSON shape) from rollups. */
export async function buildReport(name: ReportName, shop: Shop, q: ReportQuery, opts: BuildOptions = {}): Promise<AnyReport> {
  const now = opts.now ?? Date.now();
  const ctx: Ctx = { shop, pages: selectPages(shop, q), ...(opts.stats ? { stats: opts.stats } : {}) };
  switch (name) {
    case 'overview':
      return overview(ctx, q, now);
    case 'conversations':
      return conversations(ctx, q, now);
    case 'staff-chat':
      return staffChat(ctx, q, now);
    case 'staff-sales':
      return staffSales(ctx, q, now);
    case 'ads':
      return ads(ctx, q, now);
    case 'referrals':
      return referrals(ctx, q, now);
  }
}
