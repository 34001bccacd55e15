import type { CanonicalEvent } from '#lib/events/schema.ts';
import type { DigestJob } from '#lib/digests/job.ts';
import type { RejectedEvent } from '#lib/store/rejected-events.ts';

/**
 * The queues between the HTTP edge and the workers, as types only: the SQS
 * implementation (`lib/queue/sqs.ts`) and the local runtime's
 * (`scripts/local/queues.ts`) depend on this module, never on each other.
 */
/**
 * `phones`: phones customers submitted without a message (Zalo forms); they link later orders.
 * `rejected`: events the webhook acknowledged but does not count (test orders, another currency,
 * invalid items), for ingest to list among the shop's rejected events: the webhook function writes
 * nothing to the table.
 */
export type IngestMessage = { shopId: string; events: CanonicalEvent[]; phones?: PhoneLink[]; rejected?: RejectedEvent[] };
/** `at`: when the customer gave the phone (ISO-8601); the earliest giver of a phone holds it. */
export type PhoneLink = { pageId: string; customerId: string; phone: string; at?: string };
/** One recipient's digest of one period, with its signed links (schema: lib/digests/job.ts). */
export type { DigestJob };

export interface Queues {
  /**
   * Standard queue: at-least-once, no order, no deduplication. Ingest needs
   * none of them (figures are derived from state items; a repeat changes nothing).
   */
  sendIngest(messages: IngestMessage[]): Promise<void>;
  sendDigestJobs(jobs: DigestJob[]): Promise<void>;
  /**
   * Parks a job that can never succeed in the digest dead-letter queue, with
   * the reason: a DigestJob, or a queued body that is not a valid one.
   */
  deadLetterDigest(job: unknown, reason: string): Promise<void>;
}
