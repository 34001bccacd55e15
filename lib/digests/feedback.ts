import * as z from '#lib/zod.ts';
import { log, metricWithTotal } from '#lib/log.ts';
import { markDigestFeedback, type LedgerKey } from '#lib/store/digest-ledger.ts';
import { putSuppression } from '#lib/store/suppressions.ts';

/**
 * SES feedback on the digests: a permanent bounce or a complaint stops
 * further digests to that address for that shop (a suppression item, read
 * by dispatch and send) and marks the recipient's digest of that period
 * `bounced` or `complained` on the ledger. SES delivers the events of the
 * configuration set through EventBridge (`detail` is SES's event record);
 * locally the outbox plays SES's mailbox simulator (lib/mail/outbox.ts).
 * A transient bounce changes nothing: SES already retried, and the next
 * digest may well arrive.
 */

/** The SES tag (configuration-set events carry it back) naming the digest an email is. */
export const DIGEST_TAG = 'chatpulse-digest';

/** The tag value of a digest: shop, period and period key, base64url (SES tags allow letters, digits, `_`, `-`). */
export function digestTagValue(k: Omit<LedgerKey, 'email'>): string | undefined {
  const v = Buffer.from(JSON.stringify([k.shopId, k.period, k.periodKey])).toString('base64url');
  return v.length <= 256 ? v : undefined;
}

const tagSchema = z.tuple([z.string().check(z.minLength(1)), z.enum(['daily', 'weekly']), z.string().check(z.minLength(1))]);

function digestOfTag(value: string | undefined): Omit<LedgerKey, 'email'> | undefined {
  if (!value) return undefined;
  try {
    const [shopId, period, periodKey] = tagSchema.parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return { shopId, period, periodKey };
  } catch {
    return undefined;
  }
}

const recipients = z.array(z.object({ emailAddress: z.string(), diagnosticCode: z.optional(z.string()) }));
/** The parts of SES's event record (event publishing) read here. */
export const sesEventSchema = z.object({
  eventType: z.enum(['Bounce', 'Complaint']),
  mail: z.object({ messageId: z.string(), tags: z.optional(z.record(z.string(), z.array(z.string()))) }),
  bounce: z.optional(z.object({ bounceType: z.string(), bounceSubType: z.optional(z.string()), bouncedRecipients: recipients, timestamp: z.optional(z.string()) })),
  complaint: z.optional(z.object({ complainedRecipients: recipients, complaintFeedbackType: z.optional(z.string()), timestamp: z.optional(z.string()) })),
});
export type SesEvent = z.infer<typeof sesEventSchema>;

export type FeedbackOutcome = { suppressed: string[]; ignored?: 'not_a_digest' | 'transient_bounce' | 'not_bounce_or_complaint' };

/** Applies one SES event record; answers which addresses are now suppressed. */
export async function recordMailFeedback(detail: unknown, now = new Date()): Promise<FeedbackOutcome> {
  const parsed = sesEventSchema.safeParse(detail);
  if (!parsed.success) return { suppressed: [], ignored: 'not_bounce_or_complaint' };
  const event = parsed.data;
  const digest = digestOfTag(event.mail.tags?.[DIGEST_TAG]?.[0]);
  if (!digest) {
    log.warn('SES feedback on an email that is not a digest', { messageId: event.mail.messageId, eventType: event.eventType });
    return { suppressed: [], ignored: 'not_a_digest' };
  }
  if (event.eventType === 'Bounce' && event.bounce?.bounceType !== 'Permanent') {
    log.info('transient bounce', { ...digest, messageId: event.mail.messageId, bounceType: event.bounce?.bounceType });
    return { suppressed: [], ignored: 'transient_bounce' };
  }
  const reason = event.eventType === 'Bounce' ? 'bounce' : 'complaint';
  const list = (event.eventType === 'Bounce' ? event.bounce?.bouncedRecipients : event.complaint?.complainedRecipients) ?? [];
  const detailText =
    event.eventType === 'Bounce'
      ? [event.bounce?.bounceSubType, list[0]?.diagnosticCode].filter(Boolean).join(': ')
      : (event.complaint?.complaintFeedbackType ?? 'complaint');
  const at = (event.eventType === 'Bounce' ? event.bounce?.timestamp : event.complaint?.timestamp) ?? now.toISOString();
  const suppressed: string[] = [];
  for (const r of list) {
    const email = r.emailAddress.toLowerCase();
    await putSuppression(digest.shopId, { email, reason, at, ...(detailText ? { detail: detailText.slice(0, 500) } : {}) });
    await markDigestFeedback({ ...digest, email }, reason === 'bounce' ? 'bounced' : 'complained', detailText || reason, now);
    suppressed.push(email);
  }
  metricWithTotal(reason === 'bounce' ? 'DigestBounces' : 'DigestComplaints', list.length, { period: digest.period });
  log.info('digest recipients suppressed', { shopId: digest.shopId, period: digest.period, periodKey: digest.periodKey, reason, count: suppressed.length });
  return { suppressed };
}
