import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { config } from '#lib/config.ts';
import type { MailTransport, OutgoingMail } from '#lib/mail/types.ts';

/**
 * A send SES refused for good (rejected message, unverified identity,
 * suspended or paused account, bad request): retrying the same message
 * cannot help, so the job goes to the dead-letter queue with `reason`.
 */
export class PermanentMailError extends Error {
  constructor(
    public readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${message}`, options);
    this.name = 'PermanentMailError';
  }
}

const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'NotFoundException',
  'BadRequestException',
]);
const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling']);

/** SES's sending-rate throttle (retry in a moment), as opposed to the daily quota (retry much later, via the queue). */
export function isThrottle(err: unknown): boolean {
  const e = err as { name?: string; message?: string; $retryable?: { throttling?: boolean } };
  if (e?.$retryable?.throttling) return true;
  if (THROTTLING.has(e?.name ?? '')) return true;
  return e?.name === 'LimitExceededException' && /rate/i.test(e.message ?? '');
}

export type RetryPolicy = {
  /** Sends tried in all, the first included. */
  attempts: number;
  /** Delay before the 2nd attempt; doubles each time, ±50 % jitter. */
  baseMs: number;
  /** Largest delay. */
  maxMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
};

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseMs: 200,
  maxMs: 5_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Tags may hold only letters, digits, `_` and `-`, up to 256 characters. */
const tagValue = (s: string) => s.replace(/[^\w-]+/g, '_').slice(0, 256) || 'none';

/**
 * Sends the raw MIME message through SES v2 (`Content.Raw`). The SDK's own
 * retries are off so this is the one policy: throttling is retried with
 * exponential backoff and jitter, a bounded number of times; permanent
 * refusals become PermanentMailError; anything else (and throttling that
 * outlasts the attempts) is rethrown as is, for the queue to redeliver.
 */
export class SesTransport implements MailTransport {
  private readonly client: SESv2Client;
  private readonly retry: RetryPolicy;

  constructor(client?: SESv2Client, retry: Partial<RetryPolicy> = {}) {
    this.retry = { ...DEFAULT_RETRY, ...retry };
    if (client) this.client = client;
    else {
      const { SES_ENDPOINT, AWS_REGION } = config();
      this.client = new SESv2Client({ maxAttempts: 1, region: AWS_REGION, ...(SES_ENDPOINT ? { endpoint: SES_ENDPOINT } : {}) });
    }
  }

  /** Sends one message; resolves with SES's message id. */
  async send(msg: Pick<OutgoingMail, 'from' | 'to' | 'raw'> & Partial<OutgoingMail>): Promise<{ messageId: string }> {
    const input = {
      FromEmailAddress: msg.from,
      Destination: { ToAddresses: [msg.to] },
      Content: { Raw: { Data: Buffer.from(msg.raw, 'utf8') } },
      ...(msg.idempotencyKey ? { EmailTags: [{ Name: 'idempotency-key', Value: tagValue(msg.idempotencyKey) }] } : {}),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.client.send(new SendEmailCommand(input));
        return { messageId: res.MessageId ?? 'unknown' };
      } catch (err) {
        const name = (err as Error)?.name ?? 'Error';
        if (PERMANENT.has(name)) throw new PermanentMailError(name, (err as Error).message, { cause: err });
        if (!isThrottle(err) || attempt >= this.retry.attempts) throw err;
        const ceiling = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** (attempt - 1));
        await this.retry.sleep(ceiling / 2 + this.retry.random() * (ceiling / 2));
      }
    }
  }
}
