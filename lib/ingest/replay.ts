import type { ConversationEvent, EventOf, OrderEvent, StoredEvent } from '#lib/events/schema.ts';
import { isConversationEvent, isOrderEvent } from '#lib/events/schema.ts';
import { mergeCells, type Cells } from '#lib/rollups/cells.ts';
import { localDate } from '#lib/time/zone.ts';
import type { ShopRules } from '#lib/ingest/context.ts';
import { applyConversationEvents, deriveCustomer, emptyCustomer, type CustomerState } from '#lib/ingest/customer.ts';
import { applyOrderEvent, deriveOrder, emptyOrder, orderLinkOf, supersedes, type OrderState } from '#lib/ingest/order.ts';
import { applySpendEvent, deriveSpend, emptySpend, type SpendState } from '#lib/ingest/spend.ts';
import { precedes } from '#lib/ingest/phone.ts';

/**
 * Recomputes rollup cells from raw events alone, with the same state
 * transitions and derivations as the ingest path (used by rebuild, and as
 * the reference in property tests). Order events carry the link ingest
 * resolved for them (page, customer, ad), as they were stored raw; of an
 * order.created stored several times (edited: a later version; moved to a
 * conversation that gave its phone earlier, or that a newer body names), the
 * newest version's content counts with the final link (`countedCopy`), and
 * of a transition stored several times, the earliest.
 */
export function replayCells(rules: ShopRules, events: StoredEvent[], firstSeen: Map<string, number> = new Map()): Cells {
  const byId = new Map<string, StoredEvent>();
  const createdCopies = new Map<string, Array<EventOf<'order.created'> & StoredEvent>>();
  for (const e of events) {
    if (e.kind === 'order.created') {
      (createdCopies.get(e.id) ?? createdCopies.set(e.id, []).get(e.id)!).push(e);
      continue;
    }
    const kept = byId.get(e.id);
    if (!kept || (isOrderEvent(e) && isOrderEvent(kept) && supersedes(e, kept))) byId.set(e.id, e);
  }
  for (const [id, copies] of createdCopies) byId.set(id, countedCopy(copies));
  const customers = new Map<string, CustomerState>();
  const conv = new Map<string, ConversationEvent[]>();
  const orders = new Map<string, OrderEvent[]>();
  const spends = new Map<string, EventOf<'ad.spend'>[]>();
  const add = <T>(m: Map<string, T[]>, k: string, v: T) => (m.get(k) ?? m.set(k, []).get(k)!).push(v);
  for (const e of byId.values()) {
    if (isConversationEvent(e)) add(conv, customerKey(e.pageId, e.customerId), e);
    else if (isOrderEvent(e)) add(orders, e.orderId, e);
    else if (e.kind === 'ad.spend') add(spends, `${e.adId}\u0000${localDate(Date.parse(e.at), rules.tz)}`, e);
  }
  const customer = (pageId: string, customerId: string) => {
    const k = customerKey(pageId, customerId);
    let c = customers.get(k);
    if (!c) {
      c = emptyCustomer(rules.shopId, pageId, customerId);
      const first = firstSeen.get(k);
      if (first !== undefined) c.first = first;
      customers.set(k, c);
    }
    return c;
  };
  for (const evs of conv.values()) {
    const c = customer(evs[0]!.pageId, evs[0]!.customerId);
    customers.set(customerKey(c.pageId, c.customerId), applyConversationEvents(c, evs).state);
  }
  const cells: Cells = new Map();
  for (const [orderId, evs] of orders) {
    let o: OrderState = emptyOrder(rules.shopId, orderId);
    for (const e of evs) {
      const link = e.kind === 'order.created' ? { pageId: e.pageId, customerId: e.customerId, adId: e.adId } : {};
      o = applyOrderEvent(o, e, rules, link);
    }
    mergeCells(cells, deriveOrder(o, rules));
    const ol = orderLinkOf(o);
    if (ol && o.pageId && o.customerId) {
      const c = customer(o.pageId, o.customerId);
      customers.set(customerKey(c.pageId, c.customerId), { ...c, orders: { ...c.orders, [orderId]: ol } });
    }
  }
  for (const c of customers.values()) mergeCells(cells, deriveCustomer(c, rules));
  for (const evs of spends.values()) {
    const first = evs[0]!;
    let s: SpendState = emptySpend(rules.shopId, first.adId, localDate(Date.parse(first.at), rules.tz), Date.parse(first.at));
    for (const e of evs) s = applySpendEvent(s, e, rules);
    mergeCells(cells, deriveSpend(s, rules));
  }
  return cells;
}

/**
 * The order.created an order's stored copies add up to, as ingest ended
 * with it: the content (total, cost, staff, ad, creation time) of the newest
 * version; the conversation of the newest copy whose body named it in its
 * note attributes (`noteLink`), else of the final phone link (`finalCopy`),
 * else, for an order of no conversation, the page its newest version names.
 */
function countedCopy(copies: Array<EventOf<'order.created'> & StoredEvent>): EventOf<'order.created'> {
  let content = copies[0]!;
  for (const c of copies) if (supersedes(c, content)) content = c;
  const noted = copies.filter((c) => c.noteLink);
  let linked: StoredEvent | undefined;
  if (noted.length > 0) {
    linked = noted[0]!;
    for (const c of noted) if (supersedes(c, linked as EventOf<'order.created'>)) linked = c;
  } else {
    for (const c of copies) if (c.pageId && c.customerId && (!linked || finalCopy(c, linked))) linked = c;
  }
  const { pageId: _p, customerId: _c, ...rest } = content;
  if (!linked) return content;
  return { ...rest, pageId: (linked as EventOf<'order.created'>).pageId!, customerId: (linked as EventOf<'order.created'>).customerId! };
}

/**
 * True when `a` is the later link of an order.created stored as `b` too: a
 * linked copy wins over an unlinked one, and of two copies linked by phone
 * the one linked to the earliest giver (see lib/store/phone-links.ts) wins;
 * copies without `phoneGivenAt` (note attributes, or linked before it was
 * recorded) count as given at 0, as ingest counts them.
 */
function finalCopy(a: StoredEvent, b: StoredEvent): boolean {
  if (a.kind !== 'order.created' || b.kind !== 'order.created') return false;
  const link = (e: typeof a) => (e.pageId && e.customerId ? { pageId: e.pageId, customerId: e.customerId, givenAt: e.phoneGivenAt ?? 0 } : undefined);
  const [la, lb] = [link(a), link(b)];
  return la !== undefined && (lb === undefined || precedes(la, lb));
}

export const customerKey = (pageId: string, customerId: string) => `${pageId}\u0000${customerId}`;
