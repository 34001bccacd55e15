import { createHash } from 'node:crypto';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import { SqsQueues } from '#lib/queue/sqs.ts';

/**
 * The queues between the HTTP edge and the workers. In AWS they are SQS
 * (`lib/queue/sqs.ts`); the local runtime installs an in-process FIFO with
 * `setQueues`. Nothing else knows which one is in use.
 */
/** `phones`: phones customers submitted without a message (Zalo forms); they link later orders. */
export type IngestMessage = { shopId: string; events: CanonicalEvent[]; phones?: PhoneLink[] };
export type PhoneLink = { pageId: string; customerId: string; phone: string };
export type DigestJob = { shopId: string; period: 'daily' | 'weekly'; periodKey: string; email: string; force?: boolean };

export interface Queues {
  /** FIFO: messages of one group are delivered in order, one batch at a time. */
  sendIngest(messages: Array<{ groupId: string; dedupId: string; body: IngestMessage }>): Promise<void>;
  sendDigestJobs(jobs: DigestJob[]): Promise<void>;
  /** Parks a job that can never succeed in the digest dead-letter queue, with the reason. */
  deadLetterDigest(job: DigestJob, reason: string): Promise<void>;
}

let current: Queues | undefined;

/** The installed queues; SQS unless the local runtime or a test installed others. */
export function queues(): Queues {
  current ??= new SqsQueues();
  return current;
}

/** Installs an implementation; `undefined` restores SQS. */
export function setQueues(q: Queues | undefined): void {
  current = q;
}

/** A stable deduplication id for a group of events (SQS FIFO dedups within 5 minutes). */
export function dedupIdOf(ids: string[]): string {
  return createHash('sha256').update(ids.join('\u0000')).digest('hex').slice(0, 64);
}
