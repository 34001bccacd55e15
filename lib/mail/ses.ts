import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { encodeWords } from 'nodemailer/lib/mime-funcs';
import { config } from '#lib/config.ts';
import { traced } from '#lib/aws/tracing.ts';
import { checkHeaders, oneLine, type MailTransport, type OutgoingMail } from '#lib/mail/types.ts';

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
 * An address for SES's FromEmailAddress / ToAddresses: a display name with
 * characters outside ASCII becomes RFC 2047 encoded words (nodemailer's
 * `encodeWords`: UTF-8, base64, each word within 75 characters), as SES asks;
 * a bare address or an ASCII name is kept as is.
 */
export function sesAddress(address: string): string {
  const m = /^\s*"?(.*?)"?\s*<([^<>]+)>\s*$/.exec(address);
  if (!m || !/[^\x20-\x7e]/.test(m[1]!)) return address.trim();
  return `${encodeWords(m[1]!, 'B', 52)} <${m[2]}>`;
}

/**
 * Sends one email through SES v2 as "simple" content: SES composes the MIME
 * message (multipart/alternative, text part and HTML part, UTF-8 subject)
 * and adds our extra header fields (`List-Unsubscribe`,
 * `List-Unsubscribe-Post`, `Auto-Submitted`; SES accepts any RFC 822 header,
 * once each), so no MIME composer ships in the function. The SDK's own
 * retries are off so this is the one policy: throttling is retried with
 * exponential backoff and jitter, a bounded number of times; permanent
 * refusals become PermanentMailError; anything else (and throttling that
 * outlasts the attempts) is rethrown as is, for the queue to redeliver.
 */
export class SesTransport implements MailTransport {
  private readonly client: SESv2Client;
  private readonly retry: RetryPolicy;
  private readonly configurationSet: string | undefined;

  constructor(client?: SESv2Client, retry: Partial<RetryPolicy> = {}) {
    this.retry = { ...DEFAULT_RETRY, ...retry };
    this.configurationSet = config().SES_CONFIGURATION_SET;
    if (client) this.client = client;
    else {
      const { SES_ENDPOINT, AWS_REGION } = config();
      this.client = traced(new SESv2Client({ maxAttempts: 1, region: AWS_REGION, ...(SES_ENDPOINT ? { endpoint: SES_ENDPOINT } : {}) }));
    }
  }

  /** Sends one message; resolves with SES's message id. */
  async send(msg: OutgoingMail): Promise<{ messageId: string }> {
    const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });
    const input = {
      FromEmailAddress: sesAddress(msg.from),
      Destination: { ToAddresses: [sesAddress(msg.to)] },
      Content: {
        Simple: {
          Subject: utf8(oneLine(msg.subject)),
          Body: { Text: utf8(msg.text), Html: utf8(msg.html) },
          Headers: Object.entries(checkHeaders(msg.headers)).map(([Name, Value]) => ({ Name, Value })),
        },
      },
      EmailTags: [{ Name: 'idempotency-key', Value: tagValue(msg.idempotencyKey) }, ...Object.entries(msg.tags ?? {}).map(([Name, v]) => ({ Name, Value: tagValue(v) }))],
      ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
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
