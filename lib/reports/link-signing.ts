import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from '#lib/zod.ts';
import { config } from '#lib/config.ts';
import { AppError, ForbiddenError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { REPORT_NAMES } from '#lib/reports/types.ts';
import { parseReportQuery } from '#lib/reports/query.ts';
import { getLinkGeneration } from '#lib/store/report-link-generation.ts';

/**
 * Signed report links (SPEC §4.1), the signing side: a browser cannot send
 * a bearer key, so a shop key (or the digest dispatcher) gets a URL that
 * opens one report's HTML page until it expires. The URL carries the shop,
 * report, query and expiry, signed with HMAC-SHA256 under `REPORT_LINK_KEY`
 * (a key used for nothing else). Expired, altered or foreign links fail
 * `verifyReportLink`; rotating the key revokes every link at once. Opening
 * a link (`lib/reports/open-link.ts`) serves the page; this module serves
 * nothing, so signers do not carry the report renderers.
 */

export const DEFAULT_LINK_DAYS = 7;

/** The message of the 403 for an expired link (the HTML page of a failed link tells it apart from an altered one). */
export const LINK_EXPIRED = 'This report link has expired';

export const reportLinkSchema = z.object({
  report: z.enum(REPORT_NAMES),
  from: z.string(),
  to: z.string(),
  pageId: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.maxLength(50))),
  channel: z.optional(z.enum(['facebook', 'instagram', 'zalo'])),
  granularity: z.optional(z.enum(['day', 'hour'])),
  /** The page's language; default the shop's locale. */
  lang: z.optional(z.enum(['vi', 'en'])),
  expiresInDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(31)), DEFAULT_LINK_DAYS),
});

function canonical(shopId: string, report: string, params: URLSearchParams): string {
  const pairs = [...params.entries()].filter(([k]) => k !== 'sig').sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return [shopId, report, ...pairs.map(([k, v]) => `${k}=${v}`)].join('\n');
}

function sign(text: string): string {
  const key = config().REPORT_LINK_KEY;
  if (!key) throw new AppError(503, 'not_configured', 'Report links are not configured on this deployment (REPORT_LINK_KEY)');
  return createHmac('sha256', key).update(text).digest('base64url');
}

/**
 * `POST /v1/shops/{shopId}/report-links`: the signed URL of a report's HTML
 * page. `generation` is the shop's present link generation
 * (lib/store/report-link-generation.ts), signed into the link (as `gen`,
 * absent for 0) so that revoking the shop's links stops this one.
 */
export function createReportLink(shopId: string, body: unknown, now = Date.now(), generation = 0): { url: string; expiresAt: string } {
  const req = parseWith(reportLinkSchema, body, 'report link');
  const params = new URLSearchParams({ from: req.from, to: req.to });
  for (const p of req.pageId ?? []) params.append('pageId', p);
  if (req.channel) params.set('channel', req.channel);
  if (req.granularity) params.set('granularity', req.granularity);
  if (req.lang) params.set('lang', req.lang);
  parseReportQuery(params); // the same rules as the report itself (dates, range): a bad link is refused now, not on opening
  const exp = Math.floor(now / 1000) + req.expiresInDays * 86_400;
  params.set('exp', String(exp));
  if (generation > 0) params.set('gen', String(generation));
  params.set('sig', sign(canonical(shopId, req.report, params)));
  return { url: `${config().PUBLIC_BASE_URL}/v1/report-pages/${encodeURIComponent(shopId)}/${req.report}?${params}`, expiresAt: new Date(exp * 1000).toISOString() };
}

/** `POST /v1/shops/{shopId}/report-links` as served: the link, signed in the shop's present link generation. */
export async function createShopReportLink(shopId: string, body: unknown, now = Date.now()): Promise<{ url: string; expiresAt: string }> {
  return createReportLink(shopId, body, now, await getLinkGeneration(shopId));
}

/**
 * A signed link to another page served the same way (the live waiting list,
 * lib/live/link.ts): `params` signed with `exp` under the same key and rules,
 * in the shop's link `generation` (revoked with the shop's report links).
 */
export function signPageLink(shopId: string, page: string, params: URLSearchParams, expiresInDays: number, now = Date.now(), generation = 0): { url: string; expiresAt: string } {
  const exp = Math.floor(now / 1000) + expiresInDays * 86_400;
  params.set('exp', String(exp));
  if (generation > 0) params.set('gen', String(generation));
  params.set('sig', sign(canonical(shopId, page, params)));
  return { url: `${config().PUBLIC_BASE_URL}/v1/report-pages/${encodeURIComponent(shopId)}/${page}?${params}`, expiresAt: new Date(exp * 1000).toISOString() };
}

/**
 * Checks a link's signature and expiry (403 when altered, foreign, signed
 * with a key since rotated, or expired); returns the report query it
 * carries (without `exp`, `gen` and `sig`) and the link generation it was
 * signed in, which the opener compares with the shop's present one.
 */
export function verifyReportLink(shopId: string, report: string, params: URLSearchParams, now = Date.now()): { query: URLSearchParams; generation: number } {
  const sig = params.get('sig') ?? '';
  const exp = Number(params.get('exp'));
  const want = Buffer.from(sign(canonical(shopId, report, params)));
  const got = Buffer.from(sig);
  if (got.length !== want.length || !timingSafeEqual(got, want)) throw new ForbiddenError('This report link is not valid (altered, or signed with a key since rotated)');
  if (!Number.isFinite(exp) || exp * 1000 <= now) throw new ForbiddenError(LINK_EXPIRED);
  return { query: new URLSearchParams([...params.entries()].filter(([k]) => k !== 'sig' && k !== 'exp' && k !== 'gen')), generation: Number(params.get('gen') ?? 0) };
}
