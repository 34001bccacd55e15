import { z } from 'zod';
import { eventSchema, type CanonicalEvent } from '#lib/events/schema.ts';
import { log, metric } from '#lib/log.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';

/** One queued message as the ingest worker receives it. */
export type QueuedMessage = { messageId: string; groupId: string; body: string };

const messageSchema = z.object({ shopId: z.string().min(1), events: z.array(eventSchema) });

/**
 * Applies a batch of queued messages. A message that fails is reported back
 * (so it is redelivered) together with every later message of its FIFO
 * group, which keeps per-page order. A message that can never be applied
 * (malformed) is reported too, so that after its receive limit it lands in
 * the dead-letter queue with the reason logged.
 */
export async function consumeIngestMessages(messages: QueuedMessage[], now?: number): Promise<string[]> {
  const failed: string[] = [];
  const blockedGroups = new Set<string>();
  // Parse first; a malformed message fails alone (and blocks its group).
  const parsed: Array<{ m: QueuedMessage; shopId: string; events: CanonicalEvent[] }> = [];
  for (const m of messages) {
    try {
      const r = messageSchema.safeParse(JSON.parse(m.body));
      if (!r.success) throw new PoisonMessageError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      parsed.push({ m, shopId: r.data.shopId, events: r.data.events });
    } catch (err) {
      log.error('ingest message failed', err, { messageId: m.messageId, groupId: m.groupId, poison: true });
      failed.push(m.messageId);
      blockedGroups.add(m.groupId);
    }
  }
  // The messages of one shop are applied together, so their rollup deltas
  // merge into single updates; if that fails, all of them are redelivered.
  const byShop = new Map<string, typeof parsed>();
  for (const p of parsed) {
    if (blockedGroups.has(p.m.groupId)) {
      failed.push(p.m.messageId);
      continue;
    }
    byShop.set(p.shopId, [...(byShop.get(p.shopId) ?? []), p]);
  }
  for (const [shopId, list] of byShop) {
    try {
      const outcome = await recordBatch(shopId, list.flatMap((p) => p.events), now === undefined ? {} : { now });
      metric('EventsApplied', outcome.applied, { shopId });
      if (outcome.duplicates > 0) metric('EventsDuplicate', outcome.duplicates, { shopId });
      for (const d of outcome.dropped) log.warn('event dropped', { shopId, eventId: d.id, reason: d.reason });
      if (outcome.dropped.length > 0) metric('EventsDropped', outcome.dropped.length, { shopId });
    } catch (err) {
      log.error('ingest batch failed', err, { shopId, messages: list.length });
      for (const p of list) failed.push(p.m.messageId);
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
