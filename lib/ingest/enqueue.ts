import type { CanonicalEvent } from '#lib/events/schema.ts';
import { queues, type IngestMessage, type PhoneLink } from '#lib/queue/queue.ts';
import type { RejectedEvent } from '#lib/store/rejected-events.ts';

/** Events for one shop, as adapters and the events API route them. */
export type RoutedEvent = { shopId: string; event: CanonicalEvent };

const MAX_EVENTS_PER_MESSAGE = 100;
/** Kept well under SQS's message size limit (256 KiB on older queues). */
const MAX_MESSAGE_BYTES = 200_000;

/**
 * Sends events (and submitted phones) to the ingest queue (standard SQS: no
 * order, at least once), one message per shop and up to 100 events or 200 KB;
 * returns the number of messages. Nothing here orders or deduplicates: ingest
 * derives every figure from state items, so order and repeats do not matter,
 * and the queue is free to batch big and fan out.
 */
export async function enqueueEvents(
  routed: RoutedEvent[],
  phones: Array<PhoneLink & { shopId: string }> = [],
  rejected: Array<RejectedEvent & { shopId: string }> = [],
): Promise<number> {
  const byShop = new Map<string, CanonicalEvent[]>();
  for (const r of routed) {
    const list = byShop.get(r.shopId);
    if (list) list.push(r.event);
    else byShop.set(r.shopId, [r.event]);
  }
  const messages: IngestMessage[] = [];
  for (const [shopId, events] of byShop) {
    let chunk: CanonicalEvent[] = [];
    let bytes = 0;
    for (const e of events) {
      const size = Buffer.byteLength(JSON.stringify(e));
      if (chunk.length > 0 && (chunk.length >= MAX_EVENTS_PER_MESSAGE || bytes + size > MAX_MESSAGE_BYTES)) {
        messages.push({ shopId, events: chunk });
        chunk = [];
        bytes = 0;
      }
      chunk.push(e);
      bytes += size;
    }
    if (chunk.length > 0) messages.push({ shopId, events: chunk });
  }
  for (const p of phones) messages.push({ shopId: p.shopId, events: [], phones: [{ pageId: p.pageId, customerId: p.customerId, phone: p.phone, ...(p.at ? { at: p.at } : {}) }] });
  const rejectedByShop = new Map<string, RejectedEvent[]>();
  for (const { shopId, ...r } of rejected) rejectedByShop.set(shopId, [...(rejectedByShop.get(shopId) ?? []), r]);
  for (const [shopId, list] of rejectedByShop) for (let i = 0; i < list.length; i += MAX_EVENTS_PER_MESSAGE) messages.push({ shopId, events: [], rejected: list.slice(i, i + MAX_EVENTS_PER_MESSAGE) });
  if (messages.length > 0) await queues().sendIngest(messages);
  return messages.length;
}
