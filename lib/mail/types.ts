/**
 * One email ready to deliver, as its parts: each transport makes the message
 * from them (SES v2 "simple" content in AWS, a MIME file locally).
 * `headers` are extra header fields such as `List-Unsubscribe` and
 * `List-Unsubscribe-Post` (RFC 8058), checked by `checkHeaders`.
 */
export type OutgoingMail = {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  idempotencyKey: string;
  /** Tags SES returns with the message's events (bounce, complaint); values are letters, digits, `_` and `-` */
  tags?: Record<string, string>;
};

/** A way to deliver one email (SES in AWS, the outbox folder locally). */
export interface MailTransport {
  send(msg: OutgoingMail): Promise<{ messageId: string }>;
}

/** Header fields the transports set themselves; an extra header may not replace them. */
const STRUCTURAL = new Set(['from', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding']);

/**
 * The extra headers of a message, as they will be written: `Auto-Submitted:
 * auto-generated` (RFC 3834; an extra header may override it), then the
 * extras without the structural ones. A name outside RFC 5322's printable
 * characters or a value with a line break is refused (header injection).
 */
export function checkHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { 'Auto-Submitted': 'auto-generated' };
  for (const [k, v] of Object.entries(headers)) {
    if (!/^[!-9;-~]+$/.test(k)) throw new Error(`invalid header name ${JSON.stringify(k)}`);
    if (/[\r\n]/.test(v)) throw new Error(`header ${k} contains a line break`);
    if (!STRUCTURAL.has(k.toLowerCase())) out[k] = v;
  }
  return out;
}

/** A subject on one line (a line break would start a new header). */
export const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');
