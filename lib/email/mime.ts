import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { checkHeaders, oneLine } from '#lib/mail/types.ts';

/**
 * The raw email message, composed by nodemailer's MailComposer (RFC 5322
 * headers, RFC 2047 encoded words for Vietnamese subjects and display names,
 * RFC 2045/2046 multipart/alternative with the plain-text part first and the
 * HTML part last, UTF-8, lines folded at 76). The local outbox stores it as
 * `.eml`; in AWS, SES v2 composes the same parts itself from "simple" content
 * (lib/mail/ses.ts), so deployed functions do not carry nodemailer.
 */

export type MimeInput = {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058). */
  headers?: Record<string, string>;
  date?: Date;
  /** Without angle brackets; a random one at the sender's domain by default. */
  messageId?: string;
};

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

/**
 * The raw message as a string (7-bit ASCII; send its bytes). Extra headers
 * may override `Auto-Submitted` but not the structural ones; a header value
 * with a line break is refused (header injection).
 */
export async function buildMime(m: MimeInput): Promise<string> {
  const extra = checkHeaders(m.headers ?? {});
  const domain = /@([^>\s]+)>?\s*$/.exec(m.from)?.[1] ?? 'chatpulse.local';
  const composer = new MailComposer({
    from: m.from,
    to: m.to,
    subject: oneLine(m.subject),
    date: m.date ?? new Date(),
    messageId: `<${m.messageId ?? `${randomBytes(16).toString('hex')}@${domain}`}>`,
    // CRLF line breaks in the bodies too (RFC 5322 §2.3); the composer keeps them as given
    text: crlf(m.text),
    html: crlf(m.html),
    textEncoding: 'quoted-printable',
    headers: extra,
    // nothing is read from disk or the network while composing
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const raw = await composer.compile().build();
  return raw.toString('utf8');
}
