import { verifyReportLink } from '#lib/reports/link-signing.ts';
import { serveReport } from '#lib/reports/serve.ts';

/**
 * `GET /v1/report-pages/{shopId}/{report}?…&exp&sig` without a key: the
 * report's HTML page when the link verifies (`lib/reports/link-signing.ts`),
 * else 403.
 */
export async function openReportLink(shopId: string, report: string, params: URLSearchParams, now = Date.now()): Promise<string> {
  const query = verifyReportLink(shopId, report, params, now);
  query.set('format', 'html');
  const out = await serveReport(shopId, report, query, now);
  return out.body as string;
}
