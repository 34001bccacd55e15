import { NotFoundError } from '#lib/errors.ts';
import { getShop } from '#lib/store/shops.ts';
import { buildReport, type AnyReport } from '#lib/reports/build.ts';
import { parseReportName, parseReportQuery } from '#lib/reports/query.ts';
import { toCsv } from '#lib/reports/csv.ts';
import { renderReportHtml } from '#lib/reports/html.ts';
import { config } from '#lib/config.ts';

/** `GET /v1/shops/{shopId}/reports/{report}` after authorization: JSON, CSV or an HTML page. */
export async function serveReport(shopId: string, reportName: string, params: URLSearchParams, now = Date.now()): Promise<{ format: 'json'; body: AnyReport } | { format: 'csv'; body: string; filename: string } | { format: 'html'; body: string }> {
  const name = parseReportName(reportName);
  if (!name) throw new NotFoundError(`Unknown report ${reportName}`);
  const query = parseReportQuery(params);
  const shop = await getShop(shopId);
  if (!shop) throw new NotFoundError(`Unknown shop ${shopId}`);
  const report = await buildReport(name, shop, query, { now });
  if (query.format === 'html') return { format: 'html', body: renderReportHtml(name, report, shop, shop.locale, `${config().PUBLIC_BASE_URL}/v1/metrics`) };
  if (query.format === 'csv') return { format: 'csv', body: toCsv(report, name), filename: `${shopId}-${name}-${query.from}-${query.to}.csv` };
  return { format: 'json', body: report };
}
