import type { MailTransport } from '#lib/mail/types.ts';
import { SesTransport } from '#lib/mail/ses.ts';

let current: MailTransport | undefined;

/** The installed mail transport: SES unless the local runtime or a test installed another. */
export function mailTransport(): MailTransport {
  current ??= new SesTransport();
  return current;
}

export function setMailTransport(t: MailTransport | undefined): void {
  current = t;
}
