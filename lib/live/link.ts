import * as z from '#lib/zod.ts';
import { channelSchema } from '#lib/events/channel.ts';
import { parseWith } from '#lib/http/http.ts';
import { DEFAULT_LINK_DAYS, signPageLink, verifyReportLink } from '#lib/reports/link-signing.ts';
import { listWaiting, parseWaitingQuery } from '#lib/live/waiting.ts';
import { renderWaitingHtml } from '#lib/live/html.ts';
import { ForbiddenError } from '#lib/errors.ts';
import { getLinkGeneration } from '#lib/store/report-link-generation.ts';
import { chargeShop } from '#lib/limits/shop-limits.ts';

/**
 * The waiting list as a page a shift lead keeps open on a phone: a browser
 * sends no bearer key, so a shop key gets a signed link (the report links'
 * key and rules, lib/reports/link-signing.ts) that opens
 * `/v1/report-pages/{shopId}/waiting` until it expires.
 */
export const WAITING_PAGE = 'waiting';

export const waitingLinkSchema = z.object({
  pageId: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.maxLength(50))),
  channel: z.optional(channelSchema),
  expiresInDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(31)), DEFAULT_LINK_DAYS),
});

/** `POST /v1/shops/{shopId}/waiting-links`: signed in the shop's present link generation, so revoking the shop's report links revokes it too. */
export async function createWaitingLink(shopId: string, body: unknown, now = Date.now()): Promise<{ url: string; expiresAt: string }> {
  const req = parseWith(waitingLinkSchema, body ?? {}, 'waiting link');
  const params = new URLSearchParams();
  for (const p of req.pageId ?? []) params.append('pageId', p);
  if (req.channel) params.set('channel', req.channel);
  return signPageLink(shopId, WAITING_PAGE, params, req.expiresInDays, now, await getLinkGeneration(shopId));
}

/**
 * `GET /v1/report-pages/{shopId}/waiting?…&exp&sig`: the page, when the link verifies and is of the
 * shop's present link generation (else 403); it then counts against the shop's report limit.
 */
export async function openWaitingLink(shopId: string, params: URLSearchParams, now = Date.now()): Promise<string> {
  const { query: signed, generation } = verifyReportLink(shopId, WAITING_PAGE, params, now);
  if (generation !== (await getLinkGeneration(shopId))) throw new ForbiddenError("This link was revoked (the shop's links were revoked after it was made)");
  await chargeShop(shopId, 'reports');
  const query = parseWaitingQuery(signed);
  const { shop, list } = await listWaiting(shopId, query, now);
  return renderWaitingHtml(list, shop);
}
