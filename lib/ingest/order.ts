import type { EventOf, OrderEvent } from '#lib/events/schema.ts';
import { addCell, F, PERIODS, periodsOf, type Cells, type ItemRef } from '#lib/rollups/cells.ts';
import { toMinor } from '#lib/money.ts';
import { NO_PAGE, UNKNOWN_STAFF, type ShopRules } from '#lib/ingest/context.ts';
import type { OrderLink } from '#lib/ingest/customer.ts';

/**
 * One order's state. Transitions may arrive before the creation (any order);
 * the order contributes nothing until its creation is known, and then always
 * to the day it was created.
 */
export type OrderState = {
  shopId: string;
  orderId: string;
  v: number;
  ids: string[];
  createdAt?: number;
  pageId?: string;
  customerId?: string;
  staffId?: string;
  adId?: string;
  referralCode?: string;
  totalMinor?: number;
  costMinor?: number;
  cancelled: boolean;
  delivered: boolean;
  returned: boolean;
  /** How the order found its conversation: its note attributes named it, or the customer's phone matched */
  linkedBy?: 'note_attributes' | 'phone';
  /** Linked by phone: when (ms) the conversation gave it; a conversation that gave it earlier takes the order over */
  phoneGivenAt?: number;
  cancelledAt?: number;
  deliveredAt?: number;
  returnedAt?: number;
};

export function emptyOrder(shopId: string, orderId: string): OrderState {
  return { shopId, orderId, v: 0, ids: [], cancelled: false, delivered: false, returned: false };
}

/** Where an order.created links to chat, resolved by the caller (note attributes, or phone: then `phoneGivenAt`). */
export type OrderLinkage = { pageId?: string; customerId?: string; adId?: string; phoneGivenAt?: number };

export function applyOrderEvent(state: OrderState, ev: OrderEvent, rules: ShopRules, link: OrderLinkage): OrderState {
  if (state.ids.includes(ev.id)) return state;
  const next: OrderState = { ...state, ids: [...state.ids, ev.id] };
  switch (ev.kind) {
    case 'order.created': {
      const c = ev as EventOf<'order.created'>;
      next.createdAt = Date.parse(c.at);
      next.totalMinor = toMinor(c.total, rules.currency);
      if (c.cost !== undefined) next.costMinor = toMinor(c.cost, rules.currency);
      if (c.staffId) next.staffId = c.staffId;
      if (c.referralCode) next.referralCode = c.referralCode;
      if (link.pageId) next.pageId = link.pageId;
      if (link.customerId) next.customerId = link.customerId;
      if (link.adId) next.adId = link.adId;
      if (link.pageId && link.customerId) next.linkedBy = c.pageId === link.pageId && c.customerId === link.customerId ? 'note_attributes' : 'phone';
      if (next.linkedBy === 'phone' && link.phoneGivenAt !== undefined) next.phoneGivenAt = link.phoneGivenAt;
      break;
    }
    case 'order.cancelled':
      next.cancelled = true;
      next.cancelledAt = Date.parse(ev.at);
      break;
    // Delivered and returned stay consistent whatever the order of arrival (SPEC §1.3,
    // issue 21): a returned order is never delivered too, so a delivery seen before or
    // after the return changes nothing. Both are monotonic, so the result does not depend
    // on the order the events come in.
    case 'order.delivered':
      next.delivered = !next.returned;
      next.deliveredAt = Date.parse(ev.at);
      break;
    case 'order.returned':
      next.returned = true;
      next.delivered = false;
      next.returnedAt = Date.parse(ev.at);
      break;
  }
  return next;
}

/**
 * A created order moved to the conversation that holds its phone now (one
 * that gave the phone earlier than the one it was linked to, or the first
 * one, when it was linked to none). Its ad, staff and figures stay its own.
 */
export function relinkOrder(o: OrderState, to: { pageId: string; customerId: string; givenAt: number }): OrderState {
  return { ...o, pageId: to.pageId, customerId: to.customerId, linkedBy: 'phone', phoneGivenAt: to.givenAt };
}

/** The link the customer's conversation keeps to this order (funnel, sales conversion). */
export function orderLinkOf(o: OrderState): OrderLink | undefined {
  if (o.createdAt === undefined) return undefined;
  return {
    t: o.createdAt,
    ...(o.staffId ? { st: o.staffId } : {}),
    live: !o.cancelled,
    dl: o.delivered,
    total: o.totalMinor ?? 0,
    ...(o.adId ? { ad: o.adId } : {}),
  };
}

export function deriveOrder(o: OrderState, rules: ShopRules): Cells {
  const cells: Cells = new Map();
  if (o.createdAt === undefined || o.totalMinor === undefined) return cells;
  const p = periodsOf(o.createdAt, rules.tz);
  const pageId = o.pageId ?? NO_PAGE;
  const live = !o.cancelled;
  const revenue = live ? o.totalMinor : 0;
  const profit = live && o.costMinor !== undefined ? o.totalMinor - o.costMinor : 0;
  const costKnown = live && o.costMinor !== undefined ? 1 : 0;
  // deliveries count on the day of delivery, whenever the order was created (what a COD shop collects that day)
  const d = o.delivered && o.deliveredAt !== undefined ? periodsOf(o.deliveredAt, rules.tz) : undefined;
  for (const period of PERIODS) {
    const at = (scope: ItemRef['scope'], entity?: string): ItemRef => ({
      pageId,
      scope,
      period,
      periodKey: p[period],
      ...(entity !== undefined ? { entity } : {}),
    });
    const page = at('P');
    addCell(cells, page, F.ordersCreated, 1);
    addCell(cells, page, F.ordersCancelled, o.cancelled ? 1 : 0);
    addCell(cells, page, F.ordersDelivered, o.delivered ? 1 : 0);
    addCell(cells, page, F.ordersReturned, o.returned ? 1 : 0);
    addCell(cells, page, F.provisionalRevenueMinor, o.totalMinor);
    addCell(cells, page, F.revenueMinor, revenue);
    addCell(cells, page, F.grossProfitMinor, profit);
    addCell(cells, page, F.ordersCostKnown, costKnown);
    if (o.referralCode && live) {
      addCell(cells, page, F.referralOrders, 1);
      addCell(cells, page, F.referralRevenueMinor, revenue);
    }
    if (d) {
      const deliveredIn: ItemRef = { pageId, scope: 'P', period, periodKey: d[period] };
      addCell(cells, deliveredIn, F.deliveries, 1);
      addCell(cells, deliveredIn, F.deliveredRevenueMinor, o.totalMinor);
    }
    const staff = at('S', o.staffId ?? UNKNOWN_STAFF);
    addCell(cells, staff, F.ordersCreated, 1);
    addCell(cells, staff, F.ordersCancelled, o.cancelled ? 1 : 0);
    addCell(cells, staff, F.revenueMinor, revenue);
    addCell(cells, staff, F.grossProfitMinor, profit);
    addCell(cells, staff, F.ordersCostKnown, costKnown);
    // An order linked to a conversation is credited to its ad by that conversation
    // (deriveCustomer), which sees referrals whenever they arrive; only an
    // unlinked order naming its ad is credited here.
    if (o.adId && !o.customerId) {
      const ad = at('A', o.adId);
      addCell(cells, ad, F.ordersCreated, 1);
      addCell(cells, ad, F.ordersCancelled, o.cancelled ? 1 : 0);
      addCell(cells, ad, F.revenueMinor, revenue);
    }
  }
  return cells;
}
