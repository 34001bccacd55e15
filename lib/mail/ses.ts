import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { MailTransport } from '#lib/mail/types.ts';

/** A send SES refused for good (bad address, unverified identity, suspended account). */
export class PermanentMailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMailError';
  }
}

const PERMANENT = new Set(['MessageRejected', 'MailFromDomainNotVerifiedException', 'AccountSuspendedException', 'NotFoundException', 'BadRequestException', 'SendingPausedException']);
const THROTTLE = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException', 'Throttling']);

/**
 * Sends the raw MIME message through SES v2. Throttling is retried with
 * exponential backoff and jitter (the client's own retries are off, so the
 * policy is this one); permanent refusals become PermanentMailError; anything
 * else is rethrown for the queue to retry.
 */
export class SesTransport implements MailTransport {
  constructor(
    private readonly client: SESv2Client = new SESv2Client({ maxAttempts: 1, ...(process.env.SES_ENDPOINT ? { endpoint: process.env.SES_ENDPOINT } : {}) }),
    private readonly opts: { attempts: number; baseMs: number; sleep: (ms: number) => Promise<void> } = {
      attempts: 6,
      baseMs: 200,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    },
  ) {}

  async send(msg: { from: string; to: string; raw: string }): Promise<{ messageId: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.client.send(
          new SendEmailCommand({
            FromEmailAddress: msg.from,
            Destination: { ToAddresses: [msg.to] },
            Content: { Raw: { Data: Buffer.from(msg.raw, 'utf8') } },
          }),
        );
        return { messageId: res.MessageId ?? 'unknown' };
      } catch (err) {
        const name = (err as Error).name;
        if (PERMANENT.has(name)) throw new PermanentMailError(`${name}: ${(err as Error).message}`);
        if (THROTTLE.has(name) && attempt < this.opts.attempts) {
          const delay = this.opts.baseMs * 2 ** (attempt - 1);
          await this.opts.sleep(delay / 2 + Math.random() * (delay / 2));
          continue;
        }
        throw err;
      }
    }
  }
}
