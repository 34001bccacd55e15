import { NotFoundError } from '#lib/errors.ts';
import { getShop } from '#lib/store/shops.ts';
import { raiseLinkGeneration } from '#lib/store/report-link-generation.ts';

/**
 * `POST /v1/admin/shops/{shopId}/report-links/revoke`: every report link of
 * this shop signed so far stops opening (403), digests' links included;
 * other shops' links and links signed afterwards are untouched. No key
 * rotation needed.
 */
export async function revokeReportLinks(shopId: string, now = new Date()): Promise<{ shopId: string; linkGeneration: number; revokedAt: string }> {
  if (!(await getShop(shopId))) throw new NotFoundError(`Unknown shop ${shopId}`);
  return { shopId, linkGeneration: await raiseLinkGeneration(shopId, now), revokedAt: now.toISOString() };
}
