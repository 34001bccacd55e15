import type { AlertMessage } from '#lib/alerts/messages.ts';
import { SqsAlertQueue } from '#lib/alerts/sqs.ts';

/**
 * The alert queue (a standard SQS queue in AWS, `scripts/local/queues.ts`
 * locally): timers as delayed messages, group flushes and delivery retries.
 * SQS delays a message by at most 15 minutes; a timer further away is
 * re-enqueued when it fires (lib/alerts/timers.ts).
 */
export const MAX_DELAY_SECONDS = 900;

export type DelayedMessage = { body: AlertMessage; delaySeconds: number };

export interface AlertQueue {
  send(messages: DelayedMessage[]): Promise<void>;
  /** Parks what can never be delivered (a webhook that kept failing) with its reason. */
  deadLetter(body: unknown, reason: string): Promise<void>;
}

let current: AlertQueue | undefined;

/** The installed alert queue: SQS when ALERT_QUEUE_URL is set, unless the local runtime or a test installed one; undefined when there is none (alerts are then not scheduled). */
export function alertQueue(): AlertQueue | undefined {
  if (!current && process.env.ALERT_QUEUE_URL) current = new SqsAlertQueue(process.env.ALERT_QUEUE_URL, process.env.ALERT_DLQ_URL);
  return current;
}

/** Installs an implementation (the local runtime, tests); `undefined` restores the default. */
export function setAlertQueue(q: AlertQueue | undefined): void {
  current = q;
}

/** A delay SQS accepts: whole seconds, 0..900. */
export function delayUntil(at: number, now: number): number {
  return Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil((at - now) / 1000)));
}
