import type { EventOf, ResolvedEvent } from '#lib/events/schema.ts';
import type { ShopRules } from '#lib/ingest/context.ts';
import { normalizePhone, precedes, type PhoneHolder } from '#lib/ingest/phone.ts';
import { claimPhones, parkOrders, type PhoneGiven } from '#lib/store/phone-links.ts';

/** A phone a customer gave outside an event (a Zalo form), and when (ms). */
export type FormPhone = { pageId: string; customerId: string; phone: string; givenAt: number };

/** An order.created that names no conversation of the shop: it links by its phone, if it carries one. */
export function needsPhoneLink(e: EventOf<'order.created'>, rules: ShopRules): boolean {
  return !(e.pageId && e.customerId && rules.pageChannels.has(e.pageId)) && e.phone !== undefined && normalizePhone(e.phone) !== undefined;
}

/**
 * The join of orders that carry only the customer's phone with the
 * conversation that gave that phone, in state and in any order of arrival
 * (see lib/store/phone-links.ts): the phones of the batch (typed in its
 * messages and comments, or submitted through a form) claim their items and
 * collect the orders parked there; its orders that need a phone link park
 * themselves and learn their phone's holder. Returns the events with the
 * parked orders' order.created added (applied again, it links the order, or
 * moves it to a holder that gave the phone earlier; state drops it
 * otherwise), and per order id the holder of its phone. Runs before the
 * transactions, so a retry after a conflict reuses its result, and a crash in
 * between only repeats its idempotent writes.
 * `admit` filters the parked orders added (not of this batch, not too late).
 * `personalDays`: the phone items expire that many days after this write (retention).
 */
export async function joinPhones(
  rules: ShopRules,
  events: ResolvedEvent[],
  forms: FormPhone[],
  admit: (e: ResolvedEvent) => boolean,
  staleBefore: number,
  personalDays?: number,
): Promise<{ events: ResolvedEvent[]; holders: Map<string, PhoneHolder> }> {
  const earliest = new Map<string, PhoneGiven>();
  const give = (g: PhoneGiven) => {
    const cur = earliest.get(g.phone);
    if (!cur || precedes(g, cur)) earliest.set(g.phone, g);
  };
  for (const e of events) {
    if ((e.kind !== 'message.received' && e.kind !== 'comment.received') || !e.phone) continue;
    const phone = normalizePhone(e.phone);
    if (phone) give({ phone, pageId: e.pageId, customerId: e.customerId, givenAt: Date.parse(e.at) });
  }
  for (const f of forms) {
    const phone = normalizePhone(f.phone);
    if (phone) give({ ...f, phone });
  }
  const claims = await claimPhones(rules.shopId, [...earliest.values()], staleBefore, personalDays);

  const holders = new Map<string, PhoneHolder>();
  const offer = (orderId: string, h: PhoneHolder) => {
    const cur = holders.get(orderId);
    if (!cur || precedes(h, cur)) holders.set(orderId, h);
  };
  const orders = events.filter((e): e is EventOf<'order.created'> => e.kind === 'order.created' && needsPhoneLink(e, rules));
  const parked = await parkOrders(rules.shopId, orders.map((order) => ({ phone: normalizePhone(order.phone!)!, order })), staleBefore, personalDays);
  for (const [orderId, h] of parked) offer(orderId, h);

  const out = [...events];
  const inBatch = new Set(events.map((e) => e.id));
  for (const { holder, parked } of claims)
    for (const o of parked) {
      offer(o.orderId, { pageId: holder.pageId, customerId: holder.customerId, givenAt: holder.givenAt });
      if (inBatch.has(o.id) || !admit(o)) continue;
      inBatch.add(o.id);
      out.push(o);
    }
  return { events: out, holders };
}
