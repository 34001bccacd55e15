import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MailTransport, OutgoingMail } from '#lib/mail/types.ts';
import { buildMime } from '#lib/email/mime.ts';

/** A file-name-safe form of an idempotency key (letters, digits, `.`, `@`, `-`, `_`; at most 120 characters). */
export function sanitiseKey(key: string): string {
  return key.replace(/[^\w.@-]+/g, '_').slice(0, 120) || 'mail';
}

/**
 * Local transport (`npm start`): each email becomes
 * `<timestamp>-<idempotencyKey>.eml` (the MIME message nodemailer composes
 * from the parts, openable in any mail client) and `.html` (open it in a
 * browser) in `dir`.
 */
export class OutboxTransport implements MailTransport {
  readonly dir: string;

  constructor(dir?: string, private readonly now: () => Date = () => new Date()) {
    this.dir = path.resolve(dir ?? 'outbox');
  }

  async send(msg: OutgoingMail): Promise<{ messageId: string }> {
    await mkdir(this.dir, { recursive: true });
    const name = `${this.now().toISOString().replace(/[:.]/g, '-')}-${sanitiseKey(msg.idempotencyKey)}`;
    await writeFile(path.join(this.dir, `${name}.html`), msg.html);
    const raw = await buildMime({ from: msg.from, to: msg.to, subject: msg.subject, html: msg.html, text: msg.text, headers: msg.headers, date: this.now() });
    await writeFile(path.join(this.dir, `${name}.eml`), raw);
    return { messageId: `${name}@outbox` };
  }
}
