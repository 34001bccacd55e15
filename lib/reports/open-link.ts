import { ForbiddenError, NotFoundError } from '#lib/errors.ts';
import type { Locale } from '#lib/shops/schema.ts';
import { getShop } from '#lib/store/shops.ts';
import { LINK_EXPIRED, verifyReportLink } from '#lib/reports/link-signing.ts';
import { serveReport } from '#lib/reports/serve.ts';
import { renderLinkErrorHtml } from '#lib/reports/pages.ts';
import { LANGS } from '#lib/reports/table.ts';
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

/**
 * The same for a person's browser: the page, or, when the link fails
 * (expired, altered, revoked, its shop gone), a short HTML page saying so in
 * the link's language (its `lang`, else the shop's locale) with the same
 * status, instead of the API's JSON error. Other errors go to the one error
 * mapper.
 */
export async function openReportLinkPage(shopId: string, report: string, params: URLSearchParams, now = Date.now()): Promise<{ status: number; body: string }> {
  try {
    return { status: 200, body: await openReportLink(shopId, report, params, now) };
  } catch (e) {
    if (!(e instanceof ForbiddenError) && !(e instanceof NotFoundError)) throw e;
    const lang = params.get('lang');
    const locale: Locale = lang === 'vi' || lang === 'en' ? LANGS[lang] : ((await getShop(shopId).catch(() => undefined))?.locale ?? 'vi-VN');
    const reason = e instanceof NotFoundError ? 'not_found' : e.message === LINK_EXPIRED ? 'expired' : 'invalid';
    return { status: e instanceof NotFoundError ? 404 : 403, body: renderLinkErrorHtml(reason, locale) };
  }
}
