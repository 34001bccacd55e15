import { config } from '#lib/config.ts';
import { log, metricWithTotal } from '#lib/log.ts';
import { getShop } from '#lib/store/shops.ts';
import { claimDigest, getLedger, markDigestSent, releaseDigest, type LedgerKey } from '#lib/store/digest-ledger.ts';
import { digestRange } from '#lib/digests/periods.ts';
import { isSuppressed } from '#lib/store/suppressions.ts';
import { DIGEST_TAG, digestTagValue } from '#lib/digests/feedback.ts';
import { mailTransport } from '#lib/digests/transport.ts';
import { buildReport } from '#lib/reports/build.ts';
import { buildInsights } from '#lib/reports/insights.ts';
import { buildDigestView } from '#lib/email/view-model.ts';
import { renderDigest } from '#lib/email/render.ts';
import { PermanentMailError } from '#lib/mail/ses.ts';
import type { AdsReport, OverviewReport, ReferralsReport, StaffChatReport, StaffSalesReport } from '#lib/reports/types.ts';
import type { DigestJob } from '#lib/digests/job.ts';

export type SendOutcome = 'sent' | 'already_sent' | 'in_progress' | 'unsubscribed' | 'suppressed' | 'unknown_shop';

/**
 * One digest email: read the reports and render, then claim the ledger item
 * (only the claimant sends), send, record. The claim covers the SES call
 * alone, so a crash while the reports are read leaves nothing stuck (a crash
 * between SES accepting and the record still leaves the claim `sending`:
 * at most once). A throttled or failed send releases the claim and throws,
 * so the job is retried; a permanent failure (address
 * rejected, identity not verified) marks the ledger `failed` and throws a
 * PermanentMailError, which the worker moves to the dead-letter queue at once.
 * The links come signed in the job (lib/digests/job.ts): this holds no key.
 */
export async function sendDigest(job: DigestJob, now = new Date()): Promise<SendOutcome> {
  const shop = await getShop(job.shopId, { fresh: true });
  if (!shop) return 'unknown_shop';
  const recipient = shop.recipients.find((r) => r.email.toLowerCase() === job.email.toLowerCase());
  if (!recipient || !(job.period === 'daily' ? recipient.daily : recipient.weekly)) return 'unsubscribed';
  const key: LedgerKey = { shopId: job.shopId, period: job.period, periodKey: job.periodKey, email: recipient.email };
  // a repeat of a job already sent (or being sent) reads one item and builds nothing
  const seen = (await getLedger(key))?.status;
  if (seen === 'sent' || seen === 'bounced' || seen === 'complained') return 'already_sent';
  if (seen === 'sending') return 'in_progress';
  // SES reported this address as bounced or complaining since the job was queued
  if (await isSuppressed(job.shopId, recipient.email)) return 'suppressed';

  // the email is built before the claim: a crash while the reports are read
  // leaves no claim behind, and the redelivered job sends
  const { from, to } = digestRange(job.period, job.periodKey);
  const query = { from, to, pageId: [], granularity: 'day' as const, format: 'json' as const };
  const opts = { now: now.getTime() };
  const [overview, staffChat, staffSales, ads, referrals, insights] = await Promise.all([
    buildReport('overview', shop, query, opts) as Promise<OverviewReport>,
    buildReport('staff-chat', shop, query, opts) as Promise<StaffChatReport>,
    buildReport('staff-sales', shop, query, opts) as Promise<StaffSalesReport>,
    buildReport('ads', shop, query, opts) as Promise<AdsReport>,
    buildReport('referrals', shop, query, opts) as Promise<ReferralsReport>,
    buildInsights(shop, job.period, from, { ...opts, lang: recipient.locale ?? shop.locale }),
  ]);
  const unsubscribe = job.unsubscribeUrl;
  const reportUrl = liveReportUrl(job, now);
  const view = buildDigestView({ shop, recipient, period: job.period, overview, staffChat, staffSales, ads, referrals, insights: insights.insights, unsubscribeUrl: unsubscribe, ...(reportUrl ? { reportUrl } : {}) });
  const { subject, html, text } = renderDigest(view);
  const from_ = config().SES_FROM ?? 'digests@chatpulse.local';
  const headers = { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
  const idempotencyKey = `${job.shopId}-${job.period}-${job.periodKey}-${recipient.email}`;

  // only the claimant sends; the claim is held for the SES call alone
  const claim = await claimDigest(key, now);
  if (claim !== 'claimed') return claim;
  try {
    const tag = digestTagValue(key);
    const tags: Record<string, string> = tag ? { [DIGEST_TAG]: tag } : {};
    const { messageId } = await mailTransport().send({ from: from_, to: recipient.email, subject, html, text, headers, idempotencyKey, tags });
    await markDigestSent(key, messageId, now);
    metricWithTotal('DigestsSent', 1, { period: job.period });
    return 'sent';
  } catch (err) {
    const permanent = err instanceof PermanentMailError;
    await releaseDigest(key, `${(err as Error).name}: ${(err as Error).message}`, permanent ? 'failed' : 'released').catch((e) =>
      log.error('could not release digest claim', e, { ...key }),
    );
    if (permanent) metricWithTotal('DigestsFailedPermanently', 1, { period: job.period });
    throw err;
  }
}

/**
 * The job's report link unless it expired while the job waited (a dead
 * letter replayed days later): the email then goes without it, as from a
 * deployment that signs no report links, rather than with a link that
 * answers 403.
 */
function liveReportUrl(job: DigestJob, now: Date): string | undefined {
  if (job.reportUrl === undefined) return undefined;
  const exp = Number(new URL(job.reportUrl).searchParams.get('exp'));
  if (Number.isFinite(exp) && exp * 1000 > now.getTime()) return job.reportUrl;
  log.warn('digest sent without its expired report link', { shopId: job.shopId, period: job.period, periodKey: job.periodKey, expiredAt: Number.isFinite(exp) ? new Date(exp * 1000).toISOString() : 'unknown' });
  return undefined;
}
