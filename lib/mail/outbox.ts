import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MailTransport, OutgoingMail } from '#lib/mail/types.ts';
import { buildMime } from '#lib/email/mime.ts';

/** A file-name-safe form of an idempotency key (letters, digits, `.`, `@`, `-`, `_`; at most 120 characters). */
export function sanitiseKey(key: string): string {
  return key.replace(/[^\w.@-]+/g, '_').slice(0, 120) || 'mail';
}

/** SES's mailbox simulator addresses the outbox plays (https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html). */
export const SIMULATOR = { bounce: 'bounce@simulator.amazonses.com', complaint: 'complaint@simulator.amazonses.com' } as const;

/** Receives the SES event record (event publishing shape) the outbox makes up for a simulator address. */
export type FeedbackSink = (sesEvent: Record<string, unknown>) => Promise<unknown>;

/**
 * Local transport (`npm start`): each email becomes
 * `<timestamp>-<idempotencyKey>.eml` (the MIME message nodemailer composes
 * from the parts, openable in any mail client) and `.html` (open it in a
 * browser) in `dir`. Like SES's mailbox simulator, mail to
 * `bounce@simulator.amazonses.com` is written and then bounces permanently,
 * and mail to `complaint@simulator.amazonses.com` draws a complaint: the
 * event record SES would publish (with the message's tags) goes to
 * `onFeedback`.
 */
export class OutboxTransport implements MailTransport {
  readonly dir: string;

  constructor(
    dir?: string,
    private readonly now: () => Date = () => new Date(),
    private readonly onFeedback?: FeedbackSink,
  ) {
    this.dir = path.resolve(dir ?? 'outbox');
  }

  async send(msg: OutgoingMail): Promise<{ messageId: string }> {
    await mkdir(this.dir, { recursive: true });
    const name = `${this.now().toISOString().replace(/[:.]/g, '-')}-${sanitiseKey(msg.idempotencyKey)}`;
    await writeFile(path.join(this.dir, `${name}.html`), msg.html);
    const raw = await buildMime({ from: msg.from, to: msg.to, subject: msg.subject, html: msg.html, text: msg.text, headers: msg.headers, date: this.now() });
    await writeFile(path.join(this.dir, `${name}.eml`), raw);
    const messageId = `${name}@outbox`;
    const simulated = simulatedFeedback(msg, messageId, this.now());
    if (simulated && this.onFeedback) await this.onFeedback(simulated);
    return { messageId };
  }
}

/** The event record SES publishes for a simulator address, or undefined for any other recipient. */
export function simulatedFeedback(msg: OutgoingMail, messageId: string, at: Date): Record<string, unknown> | undefined {
  const to = msg.to.toLowerCase();
  const mail = { timestamp: at.toISOString(), messageId, destination: [msg.to], tags: Object.fromEntries(Object.entries(msg.tags ?? {}).map(([k, v]) => [k, [v]])) };
  if (to === SIMULATOR.bounce)
    return {
      eventType: 'Bounce',
      mail,
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: at.toISOString(), bouncedRecipients: [{ emailAddress: msg.to, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] },
    };
  if (to === SIMULATOR.complaint)
    return { eventType: 'Complaint', mail, complaint: { timestamp: at.toISOString(), complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: msg.to }] } };
  return undefined;
}
