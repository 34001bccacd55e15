/** A way to deliver one email (SES in AWS, the outbox folder locally). */
export interface MailTransport {
  send(msg: { from: string; to: string; subject: string; raw: string; html: string; text: string; idempotencyKey: string }): Promise<{ messageId: string }>;
}
