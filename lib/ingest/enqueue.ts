import type { CanonicalEvent } from '#lib/events/schema.ts';
import { isOrderEvent } from '#lib/events/schema.ts';
import { dedupIdOf, queues, type IngestMessage, type PhoneLink } from '#lib/queue/queue.ts';

/** Events for one shop, as adapters and the events API route them. */
export type RoutedEvent = { shopId: string; event: CanonicalEvent };

const MAX_EVENTS_PER_MESSAGE = 100;

/**
 * FIFO group of an event: a page's conversation events are applied in order
 * per page, a shop's orders per shop, ad spend per shop. Order across groups
 * does not matter for correctness (state items carry version conditions).
 */
export function groupOf(shopId: string, e: CanonicalEvent): string {
  if (isOrderEvent(e)) return `${shopId}:orders`;
  if (e.kind === 'ad.spend') return `${shopId}:ads`;
  return `${shopId}:page:${e.pageId}`;
}

/** Sends events (and submitted phones) to the ingest queue, grouped and chunked; returns the number of messages. */
export async function enqueueEvents(routed: RoutedEvent[], phones: Array<PhoneLink & { shopId: string }> = []): Promise<number> {
  const groups = new Map<string, RoutedEvent[]>();
  for (const r of routed) {
    const g = groupOf(r.shopId, r.event);
    const list = groups.get(g);
    if (list) list.push(r);
    else groups.set(g, [r]);
  }
  const messages: Array<{ groupId: string; dedupId: string; body: IngestMessage }> = [];
  for (const [groupId, list] of groups) {
    for (let i = 0; i < list.length; i += MAX_EVENTS_PER_MESSAGE) {
      const chunk = list.slice(i, i + MAX_EVENTS_PER_MESSAGE);
      const events = chunk.map((r) => r.event);
      messages.push({ groupId, dedupId: dedupIdOf(events.map((e) => e.id)), body: { shopId: chunk[0]!.shopId, events } });
    }
  }
  for (const p of phones) {
    const link = { pageId: p.pageId, customerId: p.customerId, phone: p.phone };
    messages.push({ groupId: `${p.shopId}:page:${p.pageId}`, dedupId: dedupIdOf(['phone', p.pageId, p.customerId, p.phone]), body: { shopId: p.shopId, events: [], phones: [link] } });
  }
  if (messages.length > 0) await queues().sendIngest(messages);
  return messages.length;
}
