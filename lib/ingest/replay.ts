import type { CanonicalEvent, ConversationEvent, EventOf, OrderEvent } from '#lib/events/schema.ts';
import { isConversationEvent, isOrderEvent } from '#lib/events/schema.ts';
import { mergeCells, type Cells } from '#lib/rollups/cells.ts';
import { localDate } from '#lib/time/zone.ts';
import type { ShopRules } from '#lib/ingest/context.ts';
import { applyConversationEvents, deriveCustomer, emptyCustomer, type CustomerState } from '#lib/ingest/customer.ts';
import { applyOrderEvent, deriveOrder, emptyOrder, orderLinkOf, type OrderState } from '#lib/ingest/order.ts';
import { applySpendEvent, deriveSpend, emptySpend, type SpendState } from '#lib/ingest/spend.ts';

/**
 * Recomputes rollup cells from raw events alone, with the same state
 * transitions and derivations as the ingest path (used by rebuild, and as
 * the reference in property tests). Order events carry the link ingest
 * resolved for them (page, customer, ad), as they were stored raw.
 */
export function replayCells(rules: ShopRules, events: CanonicalEvent[], firstSeen: Map<string, number> = new Map()): Cells {
  const byId = new Map<string, CanonicalEvent>();
  for (const e of events) if (!byId.has(e.id)) byId.set(e.id, e);
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

export const customerKey = (pageId: string, customerId: string) => `${pageId}\u0000${customerId}`;
