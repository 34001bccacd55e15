import { NotFoundError } from '#lib/errors.ts';
import type { Locale, Shop } from '#lib/shops/schema.ts';
import { getShop } from '#lib/store/shops.ts';
import { buildReport, type AnyReport } from '#lib/reports/build.ts';
import { parseReportName, parseReportQuery, type ReportQuery } from '#lib/reports/query.ts';
import { toCsv } from '#lib/reports/csv.ts';
import { renderReportHtml } from '#lib/reports/html.ts';
import { LANGS, reportTables } from '#lib/reports/table.ts';
import { toXlsx } from '#lib/reports/xlsx.ts';
import { config } from '#lib/config.ts';
import { buildInsights } from '#lib/reports/insights.ts';
import { insightsHtml } from '#lib/insights/html.ts';
import { addDays, isoWeek, isoWeekStart } from '#lib/time/zone.ts';

/**
 * The insights block of an html overview whose range is a digest period (one
 * day, or one ISO week Monday to Sunday) and covers the whole shop; '' for
 * other ranges and for a page or channel filter (insights are about the shop).
 */
async function overviewInsights(shop: Shop, q: ReportQuery, locale: Locale, now: number): Promise<string> {
  if (q.pageId.length > 0 || q.channel) return '';
  const period = q.from === q.to ? 'daily' : q.from === isoWeekStart(isoWeek(q.from)) && q.to === addDays(q.from, 6) ? 'weekly' : null;
  if (!period) return '';
  const r = await buildInsights(shop, period, q.from, { now, lang: locale });
  return insightsHtml(period, r.insights, r.lang);
}

export type ServedReport =
  | { format: 'json'; body: AnyReport }
  | { format: 'csv'; body: string; filename: string }
  | { format: 'xlsx'; body: Buffer; filename: string }
  | { format: 'html'; body: string; locale: Locale };

/**
 * `GET /v1/shops/{shopId}/reports/{report}` after authorization: JSON, CSV,
 * an xlsx workbook or an HTML page. `lang` picks the labels (xlsx, html:
 * default the shop's locale; CSV: the JSON keys unless `lang` is given).
 */
export async function serveReport(shopId: string, reportName: string, params: URLSearchParams, now = Date.now()): Promise<ServedReport> {
  const name = parseReportName(reportName);
  if (!name) throw new NotFoundError(`Unknown report ${reportName}`);
  const query = parseReportQuery(params);
  const shop = await getShop(shopId);
  if (!shop) throw new NotFoundError(`Unknown shop ${shopId}`);
  const report = await buildReport(name, shop, query, { now });
  const lang = query.lang ? LANGS[query.lang] : undefined;
  const locale = lang ?? shop.locale;
  const file = `${shopId}-${name}-${query.from}-${query.to}`;
  switch (query.format) {
    case 'html': {
      const top = name === 'overview' ? await overviewInsights(shop, query, locale, now) : '';
      return { format: 'html', body: renderReportHtml(name, report, shop, locale, glossaryUrl(locale), top), locale };
    }
    case 'csv':
      return { format: 'csv', body: toCsv(report, name, lang), filename: `${file}.csv` };
    case 'xlsx':
      return { format: 'xlsx', body: await toXlsx(reportTables(name, report), locale), filename: `${file}.xlsx` };
    default:
      return { format: 'json', body: report };
  }
}

/** Where a page's labels link: the glossary page (`GET /v1/glossary`) in the page's language. */
export function glossaryUrl(locale: Locale): string {
  return `${config().PUBLIC_BASE_URL}/v1/glossary?lang=${locale === 'en' ? 'en' : 'vi'}`;
}
