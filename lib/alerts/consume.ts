import { alertMessageSchema } from '#lib/alerts/messages.ts';
import { fireTimer } from '#lib/alerts/timers.ts';
import { flushGroup, retryDelivery } from '#lib/alerts/deliver.ts';
import { issuesText } from '#lib/events/schema.ts';
import { log } from '#lib/log.ts';

/** One queued alert message as the alerts worker receives it. */
export type QueuedAlert = { messageId: string; body: string };

/**
 * Runs a batch of alert messages (timers, flushes, retries); returns the ids
 * to redeliver. A body that is not an alert message fails alone and reaches
 * the dead-letter queue after its receive limit. Every step is safe to
 * repeat: markers and group claims are conditional writes.
 */
export async function consumeAlertMessages(messages: QueuedAlert[], now: () => number = Date.now): Promise<string[]> {
  const failed: string[] = [];
  await Promise.all(
    messages.map(async (m) => {
      try {
        const parsed = alertMessageSchema.safeParse(JSON.parse(m.body));
        if (!parsed.success) throw new Error(`not an alert message: ${issuesText(parsed.error.issues)}`);
        const msg = parsed.data;
        if (msg.kind === 'timer') log.info('alert timer', { shopId: msg.shopId, ...(await fireTimer(msg, now())) });
        else if (msg.kind === 'flush') log.info('alert group sent', { shopId: msg.shopId, window: msg.window, threshold: msg.threshold, ...(await flushGroup(msg, now())) });
        else await retryDelivery(msg, now());
      } catch (err) {
        log.error('alert message failed', err, { messageId: m.messageId });
        failed.push(m.messageId);
      }
    }),
  );
  return failed;
}
