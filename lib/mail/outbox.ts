import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MailTransport } from '#lib/mail/types.ts';

/** Local transport: every email becomes `<time>-<key>.eml` (the raw MIME) and `.html` in a folder. */
export class OutboxTransport implements MailTransport {
  constructor(private readonly dir: string) {}

  async send(msg: { raw: string; html: string; idempotencyKey: string }): Promise<{ messageId: string }> {
    mkdirSync(this.dir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${msg.idempotencyKey.replace(/[^\w.@-]+/g, '_')}`;
    writeFileSync(path.join(this.dir, `${name}.eml`), msg.raw);
    writeFileSync(path.join(this.dir, `${name}.html`), msg.html);
    return { messageId: `outbox:${name}` };
  }
}
