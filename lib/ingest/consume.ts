import { z } from 'zod';
import { eventSchema } from '#lib/events/schema.ts';
import { log, metric } from '#lib/log.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';

/** One queued message as the ingest worker receives it. */
export type QueuedMessage = { messageId: string; groupId: string; body: string };

const messageSchema = z.object({ shopId: z.string().min(1), events: z.array(eventSchema) });

/**
 * Applies queued messages in order. A message that fails is reported back
 * (so it is redelivered) together with every later message of its FIFO group,
 * which keeps per-page order; messages of other groups go on. A message that
 * can never be applied (malformed) is reported too, so that after its
 * receive limit it lands in the dead-letter queue with the reason logged.
 */
export async function consumeIngestMessages(messages: QueuedMessage[], now?: number): Promise<string[]> {
  const failed: string[] = [];
  const blockedGroups = new Set<string>();
  for (const m of messages) {
    if (blockedGroups.has(m.groupId)) {
      failed.push(m.messageId);
      continue;
    }
    try {
      const parsed = messageSchema.safeParse(JSON.parse(m.body));
      if (!parsed.success) throw new PoisonMessageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const { shopId, events } = parsed.data;
      const outcome = await recordBatch(shopId, events, now === undefined ? {} : { now });
      metric('EventsApplied', outcome.applied, { shopId });
      if (outcome.duplicates > 0) metric('EventsDuplicate', outcome.duplicates, { shopId });
      for (const d of outcome.dropped) log.warn('event dropped', { shopId, eventId: d.id, reason: d.reason });
      if (outcome.dropped.length > 0) metric('EventsDropped', outcome.dropped.length, { shopId });
    } catch (err) {
      log.error('ingest message failed', err, { messageId: m.messageId, groupId: m.groupId, poison: err instanceof PoisonMessageError });
      failed.push(m.messageId);
      blockedGroups.add(m.groupId);
    }
  }
  return failed;
}

export class PoisonMessageError extends Error {
  constructor(reason: string) {
    super(`malformed ingest message: ${reason}`);
    this.name = 'PoisonMessageError';
  }
}
