import { NotFoundError } from '#lib/errors.ts';
import { getShop } from '#lib/store/shops.ts';
import { buildReport, type AnyReport } from '#lib/reports/build.ts';
import { parseReportName, parseReportQuery } from '#lib/reports/query.ts';
import { toCsv } from '#lib/reports/csv.ts';
import { renderReportHtml } from '#lib/reports/html.ts';
import { config } from '#lib/config.ts';
import { buildInsights } from '#lib/reports/insights.ts';
import { insightsHtml } from '#lib/insights/html.ts';
import { addDays, isoWeek, isoWeekStart } from '#lib/time/zone.ts';
import type { Shop } from '#lib/shops/schema.ts';
import type { ReportQuery } from '#lib/reports/query.ts';

/**
 * The insights block of an html overview whose range is a digest period (one
 * day, or one ISO week Monday to Sunday) and covers the whole shop; '' for
 * other ranges and for a page or channel filter (insights are about the shop).
 */
async function overviewInsights(shop: Shop, q: ReportQuery, now: number): Promise<string> {
  if (q.pageId.length > 0 || q.channel) return '';
  const period = q.from === q.to ? 'daily' : q.from === isoWeekStart(isoWeek(q.from)) && q.to === addDays(q.from, 6) ? 'weekly' : null;
  if (!period) return '';
  const r = await buildInsights(shop, period, q.from, { now });
  return insightsHtml(period, r.insights, r.lang);
}

/** `GET /v1/shops/{shopId}/reports/{report}` after authorization: JSON, CSV or an HTML page. */
export async function serveReport(shopId: string, reportName: string, params: URLSearchParams, now = Date.now()): Promise<{ format: 'json'; body: AnyReport } | { format: 'csv'; body: string; filename: string } | { format: 'html'; body: string }> {
  const name = parseReportName(reportName);
  if (!name) throw new NotFoundError(`Unknown report ${reportName}`);
  const query = parseReportQuery(params);
  const shop = await getShop(shopId);
  if (!shop) throw new NotFoundError(`Unknown shop ${shopId}`);
  const report = await buildReport(name, shop, query, { now });
  if (query.format === 'html') {
    const top = name === 'overview' ? await overviewInsights(shop, query, now) : '';
    return { format: 'html', body: renderReportHtml(name, report, shop, shop.locale, `${config().PUBLIC_BASE_URL}/v1/metrics`, top) };
  }
  if (query.format === 'csv') return { format: 'csv', body: toCsv(report, name), filename: `${shopId}-${name}-${query.from}-${query.to}.csv` };
  return { format: 'json', body: report };
}
