import type { ConversationEvent, EventOf, OrderEvent, StoredEvent } from '#lib/events/schema.ts';
import { isConversationEvent, isOrderEvent } from '#lib/events/schema.ts';
import { mergeCells, type Cells } from '#lib/rollups/cells.ts';
import { localDate } from '#lib/time/zone.ts';
import type { ShopRules } from '#lib/ingest/context.ts';
import { applyConversationEvents, deriveCustomer, emptyCustomer, type CustomerState } from '#lib/ingest/customer.ts';
import { applyOrderEvent, deriveOrder, emptyOrder, orderLinkOf, type OrderState } from '#lib/ingest/order.ts';
import { applySpendEvent, deriveSpend, emptySpend, type SpendState } from '#lib/ingest/spend.ts';
import { precedes } from '#lib/ingest/phone.ts';

/**
 * Recomputes rollup cells from raw events alone, with the same state
 * transitions and derivations as the ingest path (used by rebuild, and as
 * the reference in property tests). Order events carry the link ingest
 * resolved for them (page, customer, ad), as they were stored raw; of an
 * order.created stored several times (moved to a conversation that gave its
 * phone earlier), the copy with the final link counts.
 */
export function replayCells(rules: ShopRules, events: StoredEvent[], firstSeen: Map<string, number> = new Map()): Cells {
  const byId = new Map<string, StoredEvent>();
  for (const e of events) {
    const kept = byId.get(e.id);
    if (!kept || finalCopy(e, kept)) byId.set(e.id, e);
  }
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
