import * as z from '#lib/zod.ts';
import { DATE_RULE, isoWeek, isValidDate } from '#lib/time/zone.ts';
import { NotFoundError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { getShop } from '#lib/store/shops.ts';
import { getLedgers, ledgerId, type LedgerKey } from '#lib/store/digest-ledger.ts';
import { deleteSuppression, listSuppressions, type Suppression } from '#lib/store/suppressions.ts';

export const digestStatusQuerySchema = z.object({
  period: z.enum(['daily', 'weekly']),
  date: z.string().check(z.refine(isValidDate, DATE_RULE)),
});

/**
 * What a recipient's digest of one period became: `not_queued` (nothing
 * queued yet: before its hour, or not subscribed), `queued`, `sending`
 * (claimed; a crash mid-send leaves it so: at most once), `sent`,
 * `released` (a passing failure; the next attempt or run retries),
 * `failed` (SES refused it for good), `bounced`, `complained` (SES feedback).
 */
export type RecipientDigestStatus = {
  email: string;
  subscribed: boolean;
  status: 'not_queued' | 'queued' | 'sending' | 'sent' | 'released' | 'failed' | 'bounced' | 'complained';
  queuedAt?: string;
  sentAt?: string;
  feedbackAt?: string;
  /** SES's reason for a bounce or complaint, or the last error of a failed send */
  detail?: string;
  /** present when no more digests go to this address for this shop */
  suppressed?: Pick<Suppression, 'reason' | 'at'>;
};

/**
 * `GET /v1/admin/shops/{shopId}/digests?period=daily|weekly&date=YYYY-MM-DD`:
 * each recipient's digest of the day `date` (daily) or of the ISO week
 * containing it (weekly), from the ledger, with the address's suppression.
 */
export async function digestStatus(shopId: string, query: Record<string, string>): Promise<{ shopId: string; period: 'daily' | 'weekly'; periodKey: string; recipients: RecipientDigestStatus[] }> {
  const q = parseWith(digestStatusQuerySchema, query, 'digest status query');
  const shop = await getShop(shopId, { fresh: true });
  if (!shop) throw new NotFoundError(`Unknown shop ${shopId}`);
  const periodKey = q.period === 'daily' ? q.date : isoWeek(q.date);
  const keyOf = (email: string): LedgerKey => ({ shopId, period: q.period, periodKey, email });
  const [ledgers, suppressions] = await Promise.all([getLedgers(shop.recipients.map((r) => keyOf(r.email))), listSuppressions(shopId)]);
  const suppressedBy = new Map(suppressions.map((s) => [s.email, s]));
  const recipients = shop.recipients.map((r): RecipientDigestStatus => {
    const item = ledgers.get(ledgerId(keyOf(r.email)));
    const sup = suppressedBy.get(r.email.toLowerCase());
    const str = (k: string) => (typeof item?.[k] === 'string' ? { [k]: item[k] as string } : {});
    const detail = item?.feedback ?? item?.lastError;
    return {
      email: r.email,
      subscribed: q.period === 'daily' ? r.daily : r.weekly,
      status: (item?.status as RecipientDigestStatus['status'] | undefined) ?? 'not_queued',
      ...str('queuedAt'),
      ...str('sentAt'),
      ...str('feedbackAt'),
      ...(typeof detail === 'string' ? { detail } : {}),
      ...(sup ? { suppressed: { reason: sup.reason, at: sup.at } } : {}),
    };
  });
  return { shopId, period: q.period, periodKey, recipients };
}

/** `GET /v1/admin/shops/{shopId}/suppressions`: the addresses no digest of this shop goes to, and why. */
export async function shopSuppressions(shopId: string): Promise<{ shopId: string; suppressions: Suppression[] }> {
  return { shopId, suppressions: await listSuppressions(shopId) };
}

/** `DELETE /v1/admin/shops/{shopId}/suppressions/{email}`: digests go to the address again (once its owner fixed it). */
export async function liftSuppression(shopId: string, email: string): Promise<void> {
  if (!(await deleteSuppression(shopId, email))) throw new NotFoundError(`${email} is not suppressed for shop ${shopId}`);
}
