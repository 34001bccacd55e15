import { ForbiddenError } from '#lib/errors.ts';
import { verifyReportLink } from '#lib/reports/link-signing.ts';
import { serveReport } from '#lib/reports/serve.ts';
import { getLinkGeneration } from '#lib/store/report-link-generation.ts';
import { chargeShop } from '#lib/limits/shop-limits.ts';

/**
 * `GET /v1/report-pages/{shopId}/{report}?…&exp&sig` without a key: the
 * report's HTML page when the link verifies (`lib/reports/link-signing.ts`)
 * and is of the shop's present link generation, else 403. A verified link
 * counts against the shop's report limit (an unsigned one costs the shop nothing).
 */
export async function openReportLink(shopId: string, report: string, params: URLSearchParams, now = Date.now()): Promise<string> {
  // signature and expiry first: a forged link reads nothing and costs the shop nothing
  const { query, generation } = verifyReportLink(shopId, report, params, now);
  if (generation !== (await getLinkGeneration(shopId))) throw new ForbiddenError("This report link was revoked (the shop's links were revoked after it was made)");
  await chargeShop(shopId, 'reports');
  query.set('format', 'html');
  const out = await serveReport(shopId, report, query, now);
  return out.body as string;
}
