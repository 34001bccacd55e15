import * as z from '#lib/zod.ts';
import { isValidDate, isoWeek, DATE_RULE } from '#lib/time/zone.ts';
import { NotFoundError, ValidationError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { queues, type DigestJob } from '#lib/queue/queue.ts';
import { getShop, listShopIds } from '#lib/store/shops.ts';
import { config } from '#lib/config.ts';
import { metric } from '#lib/log.ts';
import { CATCH_UP_HOURS, digestRange, duePeriods } from '#lib/digests/periods.ts';
import { getLedgers, ledgerId, markDigestQueued, REQUEUE_STATUSES, type LedgerKey } from '#lib/store/digest-ledger.ts';
import { listSuppressions } from '#lib/store/suppressions.ts';
import { mapLimit } from '#lib/store/batch.ts';
import { unsubscribeUrl } from '#lib/digests/unsubscribe.ts';
import { createReportLink } from '#lib/reports/link-signing.ts';
import { getLinkGeneration } from '#lib/store/report-link-generation.ts';
import type { Shop } from '#lib/shops/schema.ts';

/**
 * One job per subscribed recipient, carrying the links its email shows,
 * signed here so that digest-send needs no key: the recipient's unsubscribe
 * link and, where this deployment signs report links (REPORT_LINK_KEY), the
 * full overview of the period (valid 7 days from now).
 */
async function jobsFor(shop: Shop, period: 'daily' | 'weekly', periodKey: string, now: number): Promise<DigestJob[]> {
  const recipients = shop.recipients.filter((r) => (period === 'daily' ? r.daily : r.weekly));
  if (recipients.length === 0) return [];
  // signed in the shop's present link generation, so revoking the shop's links revokes these too
  const reportUrl = config().REPORT_LINK_KEY
    ? createReportLink(shop.shopId, { report: 'overview', ...digestRange(period, periodKey) }, now, await getLinkGeneration(shop.shopId)).url
    : undefined;
  return recipients.map((r) => ({
    shopId: shop.shopId,
    period,
    periodKey,
    email: r.email,
    unsubscribeUrl: unsubscribeUrl(shop.shopId, r.email, period),
    ...(reportUrl ? { reportUrl } : {}),
  }));
}

/**
 * The hourly schedule, catching up: for every shop, every digest that fell
 * due within the last CATCH_UP_HOURS (lib/digests/periods.ts) and that the
 * ledger does not show as sent, being sent or refused, goes out as one job
 * per subscribed recipient whose address is not suppressed. So a failed or
 * skipped run is made up by the next one, and a run that fires twice, or
 * after the digest went out, queues nothing more. Each queued digest is
 * marked `queued` on the ledger first (conditionally: a digest claimed in
 * between is left alone); a job queued twice is still sent once (the
 * claim). `at` picks the periods; `now` dates the links.
 */
export async function dispatchDueDigests(at: Date, now = Date.now()): Promise<{ jobs: number }> {
  const jobs: DigestJob[] = [];
  const shopIds = await listShopIds();
  // read by the silence alarms (no webhook event, no digest, while shops exist)
  metric('ShopsConfigured', shopIds.length);
  for (const shopId of shopIds) {
    const shop = await getShop(shopId);
    if (!shop) continue;
    const due = duePeriods(at.getTime(), shop.timezone, shop.digestHour, CATCH_UP_HOURS);
    const candidates = (await Promise.all(due.map(({ period, periodKey }) => jobsFor(shop, period, periodKey, now)))).flat();
    if (candidates.length === 0) continue;
    const ledgers = await getLedgers(candidates.map(ledgerKeyOf));
    let open = candidates.filter((j) => {
      const status = ledgers.get(ledgerId(ledgerKeyOf(j)))?.status;
      return status === undefined || REQUEUE_STATUSES.has(String(status));
    });
    if (open.length === 0) continue;
    const suppressed = new Set((await listSuppressions(shop.shopId)).map((s) => s.email));
    open = open.filter((j) => !suppressed.has(j.email.toLowerCase()));
    const marked = await mapLimit(open, (j) => markDigestQueued(ledgerKeyOf(j), new Date(now)), 8);
    jobs.push(...open.filter((_, i) => marked[i]));
  }
  if (jobs.length > 0) await queues().sendDigestJobs(jobs);
  return { jobs: jobs.length };
}

const ledgerKeyOf = (j: DigestJob): LedgerKey => ({ shopId: j.shopId, period: j.period, periodKey: j.periodKey, email: j.email });

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
export async function runDigestNow(body: unknown, now = Date.now()): Promise<{ jobs: number; period: string; periodKey: string }> {
  const req = parseWith(runDigestSchema, body, 'digest run');
  const shop = await getShop(req.shopId, { fresh: true });
  if (!shop) throw new NotFoundError(`Unknown shop ${req.shopId}`);
  const periodKey = req.period === 'daily' ? req.date : isoWeek(req.date);
  const jobs = await jobsFor(shop, req.period, periodKey, now);
  if (jobs.length === 0) throw new ValidationError('No recipient subscribed to that digest', [{ path: 'period', message: `no ${req.period} recipients for shop ${req.shopId}` }]);
  await queues().sendDigestJobs(jobs);
  return { jobs: jobs.length, period: req.period, periodKey };
}
