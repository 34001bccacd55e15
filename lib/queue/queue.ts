import type { Queues } from '#lib/queue/types.ts';
import { SqsQueues } from '#lib/queue/sqs.ts';

export type { DigestJob, IngestMessage, PhoneLink, Queues } from '#lib/queue/types.ts';

/**
 * The installed queues: SQS (`lib/queue/sqs.ts`) unless the local runtime or
 * a test installed others with `setQueues`. Nothing else knows which is in use.
 */
let current: Queues | undefined;

export function queues(): Queues {
  current ??= new SqsQueues();
  return current;
}

/** Installs an implementation; `undefined` restores SQS. */
export function setQueues(q: Queues | undefined): void {
  current = q;
}
