/** One email ready to deliver: `raw` is the complete MIME message (lib/email/mime.ts); html and text are its parts, for transports that store them. */
export type OutgoingMail = { from: string; to: string; subject: string; raw: string; html: string; text: string; idempotencyKey: string };

/** A way to deliver one email (SES in AWS, the outbox folder locally). */
export interface MailTransport {
  send(msg: OutgoingMail): Promise<{ messageId: string }>;
}
