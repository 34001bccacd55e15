import * as z from '#lib/zod.ts';
import { isValidDate, isoWeek, DATE_RULE } from '#lib/time/zone.ts';
import { NotFoundError, ValidationError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { queues, type DigestJob } from '#lib/queue/queue.ts';
import { getShop, listShopIds } from '#lib/store/shops.ts';
import { dueDigests, previousPeriodKey } from '#lib/digests/periods.ts';
import type { Shop } from '#lib/shops/schema.ts';

function jobsFor(shop: Shop, period: 'daily' | 'weekly', periodKey: string): DigestJob[] {
  return shop.recipients
    .filter((r) => (period === 'daily' ? r.daily : r.weekly))
    .map((r) => ({ shopId: shop.shopId, period, periodKey, email: r.email }));
}

/**
 * The hourly schedule: for every shop whose local digest hour it is, one job
 * per recipient and due period. Firing twice queues jobs twice; the ledger
 * makes the second one a no-op.
 */
export async function dispatchDueDigests(at: Date): Promise<{ jobs: number }> {
  const jobs: DigestJob[] = [];
  for (const shopId of await listShopIds()) {
    const shop = await getShop(shopId);
    if (!shop) continue;
    for (const period of dueDigests(at.getTime(), shop.timezone, shop.digestHour)) {
      jobs.push(...jobsFor(shop, period, previousPeriodKey(period, at.getTime(), shop.timezone)));
    }
  }
  if (jobs.length > 0) await queues().sendDigestJobs(jobs);
  return { jobs: jobs.length };
}

export const runDigestSchema = z.object({
  shopId: z.string().check(z.minLength(1)),
  period: z.enum(['daily', 'weekly']),
  date: z.string().check(z.refine(isValidDate, DATE_RULE)),
});

/**
 * `POST /v1/admin/digests/run`: queues the digest of the day `date` (daily)
 * or of the ISO week containing `date` (weekly) for every subscribed
 * recipient. Still at most once per recipient and period.
 */
export async function runDigestNow(body: unknown): Promise<{ jobs: number; period: string; periodKey: string }> {
  const req = parseWith(runDigestSchema, body, 'digest run');
  const shop = await getShop(req.shopId, { fresh: true });
  if (!shop) throw new NotFoundError(`Unknown shop ${req.shopId}`);
  const periodKey = req.period === 'daily' ? req.date : isoWeek(req.date);
  const jobs = jobsFor(shop, req.period, periodKey);
  if (jobs.length === 0) throw new ValidationError('No recipient subscribed to that digest', [{ path: 'period', message: `no ${req.period} recipients for shop ${req.shopId}` }]);
  await queues().sendDigestJobs(jobs);
  return { jobs: jobs.length, period: req.period, periodKey };
}
