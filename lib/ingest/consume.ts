import * as z from '#lib/zod.ts';
import { eventSchema, issuesText, type CanonicalEvent } from '#lib/events/schema.ts';
import { log, metric, metricWithTotal } from '#lib/log.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import type { PhoneLink } from '#lib/queue/queue.ts';
import { recordRejectedEvents, REJECTED_REASONS, type RejectedEvent } from '#lib/store/rejected-events.ts';

/** One queued message as the ingest worker receives it. */
export type QueuedMessage = { messageId: string; groupId: string; body: string };

/** The envelope only; each event is validated on its own so that one bad event costs only itself. */
const messageSchema = z.object({
  shopId: z.string().check(z.minLength(1), z.maxLength(128)),
  events: z.array(z.unknown()).check(z.maxLength(1000)),
  phones: z.optional(
    z
      .array(
        z.object({
          pageId: z.string().check(z.minLength(1), z.maxLength(128)),
          customerId: z.string().check(z.minLength(1), z.maxLength(128)),
          phone: z.string().check(z.minLength(6), z.maxLength(32)),
          // when the customer gave it (the earliest giver holds a phone); absent in messages queued before it was sent
          at: z.optional(z.iso.datetime({ offset: true })),
        }),
      )
      .check(z.maxLength(1000)),
  ),
  rejected: z.optional(
    z
      .array(
        z.object({
          eventId: z.string().check(z.minLength(1), z.maxLength(200)),
          reason: z.enum(REJECTED_REASONS),
          source: z.string().check(z.minLength(1), z.maxLength(20)),
          at: z.optional(z.string().check(z.maxLength(40))),
          detail: z.optional(z.string().check(z.maxLength(200))),
        }),
      )
      .check(z.maxLength(1000)),
  ),
});

type Parsed = { m: QueuedMessage; shopId: string; events: CanonicalEvent[]; phones: PhoneLink[]; rejected: RejectedEvent[] };

/**
 * Applies a batch of queued messages and returns the ids of those to
 * redeliver. Figures are derived from state, so no message waits for another:
 * - a message that is not an ingest message at all (not JSON, no shop) fails
 *   alone and, after its receive limit, lands in the dead-letter queue;
 * - an invalid event inside a message is dropped alone, logged and counted
 *   with its id and reason, and the message's other events are applied;
 * - the messages of one shop are applied together, so their rollup deltas
 *   merge into single updates; if that fails, only they are redelivered;
 * - shops with fewer events go first, so a flood in the same batch does not
 *   delay a quiet shop's events (fairness, with the fair queue's group ids).
 */
export async function consumeIngestMessages(messages: QueuedMessage[], now?: number): Promise<string[]> {
  const failed: string[] = [];
  const byShop = new Map<string, Parsed[]>();
  for (const m of messages) {
    const p = parseMessage(m);
    if (!p) {
      failed.push(m.messageId);
      continue;
    }
    byShop.set(p.shopId, [...(byShop.get(p.shopId) ?? []), p]);
  }
  // smallest shops first: a quiet shop's few events are applied (and visible) before a flooding neighbour's many
  const shops = [...byShop].sort(([, a], [, b]) => eventsOf(a) - eventsOf(b));
  for (const [shopId, list] of shops) {
    try {
      await recordRejectedEvents(shopId, list.flatMap((p) => p.rejected), now);
      const outcome = await recordBatch(
        shopId,
        list.flatMap((p) => p.events),
        { ...(now === undefined ? {} : { now }), phones: list.flatMap((p) => p.phones) },
      );
      metric('EventsApplied', outcome.applied, { shopId });
      if (outcome.duplicates > 0) metric('EventsDuplicate', outcome.duplicates, { shopId });
      if (outcome.parked > 0) metric('CommentRepliesParked', outcome.parked, { shopId });
      for (const d of outcome.dropped) log.warn('event dropped', { shopId, eventId: d.id, reason: d.reason });
      if (outcome.dropped.length > 0) metricWithTotal('EventsDropped', outcome.dropped.length, { shopId });
    } catch (err) {
      log.error('ingest batch failed', err, { shopId, messages: list.length });
      for (const p of list) failed.push(p.m.messageId);
    }
  }
  return failed;
}

const eventsOf = (list: Parsed[]) => list.reduce((n, p) => n + p.events.length + p.phones.length, 0);

/** The message's valid events; undefined (after logging why) when it is not an ingest message. */
function parseMessage(m: QueuedMessage): Parsed | undefined {
  let body: unknown;
  try {
    body = JSON.parse(m.body);
  } catch (err) {
    log.error('ingest message failed', new PoisonMessageError(`not JSON (${(err as Error).message})`), { messageId: m.messageId, poison: true });
    return undefined;
  }
  const envelope = messageSchema.safeParse(body);
  if (!envelope.success) {
    log.error('ingest message failed', new PoisonMessageError(issuesText(envelope.error.issues)), { messageId: m.messageId, poison: true });
    return undefined;
  }
  const events: CanonicalEvent[] = [];
  for (const raw of envelope.data.events) {
    const e = eventSchema.safeParse(raw);
    if (e.success) {
      events.push(e.data);
      continue;
    }
    const id = (raw as { id?: unknown } | null)?.id;
    const eventId = typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 80) : '(no id)';
    log.warn('invalid event dropped', { shopId: envelope.data.shopId, messageId: m.messageId, eventId, reason: issuesText(e.error.issues) });
    metricWithTotal('InvalidEvents', 1, { source: 'ingest' });
  }
  return { m, shopId: envelope.data.shopId, events, phones: envelope.data.phones ?? [], rejected: envelope.data.rejected ?? [] };
}

export class PoisonMessageError extends Error {
  constructor(reason: string) {
    super(`malformed ingest message: ${reason}`);
    this.name = 'PoisonMessageError';
  }
}
