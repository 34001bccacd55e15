import type { EventOf, OrderEvent } from '#lib/events/schema.ts';
import { addCell, F, PERIODS, periodsOf, type Cells, type ItemRef } from '#lib/rollups/cells.ts';
import { toMinor } from '#lib/money.ts';
import { NO_PAGE, UNKNOWN_STAFF, type ShopRules } from '#lib/ingest/context.ts';
import type { OrderLink } from '#lib/ingest/customer.ts';

/**
 * One order's state. Transitions may arrive before the creation (any order);
 * the order contributes nothing until its creation is known, and then always
 * to the day it was created.
 *
 * An order is edited on its platform (amount, lines, sales staff, note
 * attributes) and sent again with a later `updated_at`: its order.created
 * carries that version (`updatedAt`). What the order counts (creation time,
 * total, cost, staff, ad, referral code, and its page when it names no
 * conversation) is the content of the newest version seen; a body of an
 * older or equal version changes nothing. The conversation is the one named
 * by the newest body that names one in its note attributes (else the phone's
 * earliest giver, lib/store/phone-links.ts). Transitions are kept at the
 * earliest time a body showed them. Each rule is a maximum or a minimum, so
 * the state after any arrival order and any duplication of the same bodies
 * is the state after the bodies in their true order.
 */
export type OrderState = {
  shopId: string;
  orderId: string;
  v: number;
  ids: string[];
  createdAt?: number;
  /** The version (ms; the body's `updated_at`, else its creation time) whose content the order counts; absent in items written before versions, which count as `createdAt` */
  version?: number;
  /** The version of the body whose note attributes named the conversation the order is linked to (linked by `note_attributes`) */
  noteVersion?: number;
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

/** The version of an order.created: its `updatedAt` (the platform's `updated_at`), else its creation time (ms). */
export function orderVersionOf(e: EventOf<'order.created'>): number {
  return Date.parse(e.updatedAt ?? e.at);
}

/** The version whose content the order counts (items written before versions: their creation time). */
export const countedVersionOf = (o: OrderState): number | undefined => o.version ?? o.createdAt;

/** The version of the body that named the order's conversation in its note attributes, if it is linked that way. */
export const noteVersionOf = (o: OrderState): number | undefined => o.noteVersion ?? (o.linkedBy === 'note_attributes' ? countedVersionOf(o) : undefined);

/**
 * Of two copies of one event id, true when `a` is the one state keeps rather
 * than `b`: the newer version of an order.created, the earlier time of a
 * transition. Anything else: the first seen stays.
 */
export function supersedes(a: OrderEvent, b: OrderEvent): boolean {
  if (a.kind === 'order.created' && b.kind === 'order.created') return orderVersionOf(a) > orderVersionOf(b);
  if (a.kind !== 'order.created' && a.kind === b.kind) return Date.parse(a.at) < Date.parse(b.at);
  return false;
}

/** The content of an order.created, replacing the content of an older version (fields it does not name are dropped). */
function withContent(state: OrderState, c: EventOf<'order.created'>, rules: ShopRules, link: OrderLinkage): OrderState {
  const { costMinor: _c, staffId: _s, referralCode: _r, adId: _a, ...rest } = state;
  return {
    ...rest,
    createdAt: Date.parse(c.at),
    version: orderVersionOf(c),
    totalMinor: toMinor(c.total, rules.currency),
    ...(c.cost !== undefined ? { costMinor: toMinor(c.cost, rules.currency) } : {}),
    ...(c.staffId ? { staffId: c.staffId } : {}),
    ...(c.referralCode ? { referralCode: c.referralCode } : {}),
    ...(link.adId ? { adId: link.adId } : {}),
  };
}

/**
 * Applies one order event. Returns `state` itself when the event changes
 * nothing (seen before, an older or equal version, a transition already
 * known at an earlier or equal time), so callers count it as a duplicate.
 */
export function applyOrderEvent(state: OrderState, ev: OrderEvent, rules: ShopRules, link: OrderLinkage): OrderState {
  const seen = state.ids.includes(ev.id);
  const ids = seen ? state.ids : [...state.ids, ev.id];
  const at = Date.parse(ev.at);
  switch (ev.kind) {
    case 'order.created': {
      const c = ev as EventOf<'order.created'>;
      const version = orderVersionOf(c);
      const counted = countedVersionOf(state);
      const fresh = state.createdAt === undefined || counted === undefined || version > counted;
      // the body names this conversation itself (the caller passes its own note link when it decides)
      const named = Boolean(link.pageId && link.customerId && c.pageId === link.pageId && c.customerId === link.customerId);
      const noteV = noteVersionOf(state);
      const takesNote = named && (noteV === undefined || version > noteV);
      if (!fresh && !takesNote) return state;
      let next: OrderState = fresh ? { ...withContent(state, c, rules, link), ids } : { ...state, ids };
      if (takesNote) {
        const { phoneGivenAt: _p, ...rest } = next;
        next = { ...rest, pageId: link.pageId!, customerId: link.customerId!, linkedBy: 'note_attributes', noteVersion: version };
      } else if (state.createdAt === undefined) {
        if (link.pageId) next.pageId = link.pageId;
        if (link.customerId) next.customerId = link.customerId;
        if (link.pageId && link.customerId) {
          next.linkedBy = 'phone';
          if (link.phoneGivenAt !== undefined) next.phoneGivenAt = link.phoneGivenAt;
        }
      } else if (!next.customerId) {
        // an order of no conversation counts on the page its newest body names, if any
        const { pageId: _p, ...rest } = next;
        next = { ...rest, ...(link.pageId ? { pageId: link.pageId } : {}) };
      }
      return next;
    }
    // Transitions keep the earliest time a body showed them. Delivered and returned stay
    // consistent whatever the order of arrival (SPEC §1.3, issue 21): a returned order is
    // never delivered too, so a delivery seen before or after the return changes nothing.
    case 'order.cancelled':
      if (seen && state.cancelledAt !== undefined && at >= state.cancelledAt) return state;
      return { ...state, ids, cancelled: true, cancelledAt: at };
    case 'order.delivered':
      if (seen && state.deliveredAt !== undefined && at >= state.deliveredAt) return state;
      return { ...state, ids, delivered: !state.returned, deliveredAt: at };
    case 'order.returned':
      if (seen && state.returnedAt !== undefined && at >= state.returnedAt) return state;
      return { ...state, ids, returned: true, delivered: false, returnedAt: at };
  }
  return state;
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
