import * as z from '#lib/zod.ts';
import { log, metricWithTotal } from '#lib/log.ts';
import { markDigestFeedback, type LedgerKey } from '#lib/store/digest-ledger.ts';
import { putSuppression } from '#lib/store/suppressions.ts';

/**
 * SES feedback on the digests and the SLA alert emails: a permanent bounce
 * or a complaint stops further digests and alert emails to that address for
 * that shop (a suppression item, read by dispatch, send and the alerts
 * worker) and, for a digest, marks the recipient's digest of that period
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

/** The SES tag naming the shop an SLA alert email was sent for (base64url of `[shopId]`). */
export const ALERT_TAG = 'chatpulse-alert';

export function alertTagValue(shopId: string): string | undefined {
  const v = Buffer.from(JSON.stringify([shopId])).toString('base64url');
  return v.length <= 256 ? v : undefined;
}

function shopOfAlertTag(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return z.tuple([z.string().check(z.minLength(1))]).parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')))[0];
  } catch {
    return undefined;
  }
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

/** What an email was: a digest (shop, period) or an SLA alert (shop). */
type Sent = { kind: 'digest'; digest: Omit<LedgerKey, 'email'> } | { kind: 'alert'; shopId: string };

/** Applies one SES event record; answers which addresses are now suppressed. */
export async function recordMailFeedback(detail: unknown, now = new Date()): Promise<FeedbackOutcome> {
  const parsed = sesEventSchema.safeParse(detail);
  if (!parsed.success) return { suppressed: [], ignored: 'not_bounce_or_complaint' };
  const event = parsed.data;
  const digest = digestOfTag(event.mail.tags?.[DIGEST_TAG]?.[0]);
  const alertShop = digest ? undefined : shopOfAlertTag(event.mail.tags?.[ALERT_TAG]?.[0]);
  const sent: Sent | undefined = digest ? { kind: 'digest', digest } : alertShop ? { kind: 'alert', shopId: alertShop } : undefined;
  if (!sent) {
    log.warn('SES feedback on an email that is neither a digest nor an alert', { messageId: event.mail.messageId, eventType: event.eventType });
    return { suppressed: [], ignored: 'not_a_digest' };
  }
  const shopId = sent.kind === 'digest' ? sent.digest.shopId : sent.shopId;
  if (event.eventType === 'Bounce' && event.bounce?.bounceType !== 'Permanent') {
    log.info('transient bounce', { ...(sent.kind === 'digest' ? sent.digest : { shopId, alert: true }), messageId: event.mail.messageId, bounceType: event.bounce?.bounceType });
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
    await putSuppression(shopId, { email, reason, at, ...(detailText ? { detail: detailText.slice(0, 500) } : {}) });
    if (sent.kind === 'digest') await markDigestFeedback({ ...sent.digest, email }, reason === 'bounce' ? 'bounced' : 'complained', detailText || reason, now);
    suppressed.push(email);
  }
  if (sent.kind === 'digest') {
    metricWithTotal(reason === 'bounce' ? 'DigestBounces' : 'DigestComplaints', list.length, { period: sent.digest.period });
    log.info('digest recipients suppressed', { shopId, period: sent.digest.period, periodKey: sent.digest.periodKey, reason, count: suppressed.length });
  } else {
    metricWithTotal(reason === 'bounce' ? 'AlertBounces' : 'AlertComplaints', list.length, {});
    log.info('alert recipients suppressed', { shopId, reason, count: suppressed.length });
  }
  return { suppressed };
}
