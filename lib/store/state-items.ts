import { keys } from '#lib/store/keys.ts';
import { decodeEntry, emptyCustomer, encodeEntry, lastReplyBy, openWait, type CustomerState } from '#lib/ingest/customer.ts';
import { emptyOrder, type OrderState } from '#lib/ingest/order.ts';
import { emptySpend, type SpendState } from '#lib/ingest/spend.ts';
import { emptyPage, type PageState } from '#lib/ingest/page.ts';

/**
 * Mapping between the pure state types of `lib/ingest` and their items.
 * Conditions and transactions live in `ingest-store.ts`.
 */

type Item = Record<string, unknown>;

export function customerFromItem(shopId: string, pageId: string, customerId: string, item: Item | undefined): CustomerState {
  if (!item) return emptyCustomer(shopId, pageId, customerId);
  return {
    shopId,
    pageId,
    customerId,
    v: Number(item.v),
    entries: ((item.ev as string[] | undefined) ?? []).map(decodeEntry),
    ...(item.first !== undefined ? { first: Number(item.first) } : {}),
    orders: (item.orders as CustomerState['orders'] | undefined) ?? {},
    ...(item.carry ? { carry: item.carry as CustomerState['carry'] } : {}),
  };
}

export function customerToItem(s: CustomerState, channel: string): Item {
  const waitOpen = openWait(s);
  const lastBy = lastReplyBy(s);
  return {
    ...keys.customer(s.shopId, s.pageId, s.customerId),
    type: 'customer',
    shopId: s.shopId,
    pageId: s.pageId,
    customerId: s.customerId,
    channel,
    v: s.v + 1,
    ev: s.entries.map(encodeEntry),
    first: s.first,
    orders: s.orders,
    carry: s.carry,
    ...(lastBy !== undefined ? { lastReplyBy: lastBy } : {}),
    ...(waitOpen !== undefined
      ? { waitOpenedAt: waitOpen, ...keys.openWait(s.shopId, new Date(waitOpen).toISOString(), s.pageId, s.customerId) }
      : {}),
  };
}

export function orderFromItem(shopId: string, orderId: string, item: Item | undefined): OrderState {
  if (!item) return emptyOrder(shopId, orderId);
  const { PK: _pk, SK: _sk, type: _t, ...rest } = item;
  return { ...(rest as unknown as OrderState), shopId, orderId, v: Number(item.v) };
}

export function orderToItem(o: OrderState): Item {
  return { ...o, ...keys.order(o.shopId, o.orderId), type: 'order', v: o.v + 1 };
}

export function spendFromItem(shopId: string, adId: string, day: string, t: number, item: Item | undefined): SpendState {
  if (!item) return emptySpend(shopId, adId, day, t);
  return {
    shopId,
    adId,
    day,
    v: Number(item.v),
    amounts: item.amounts as SpendState['amounts'],
    t: Number(item.t),
    ...(item.campaignId ? { campaignId: String(item.campaignId) } : {}),
  };
}

export function spendToItem(s: SpendState): Item {
  return { ...s, ...keys.spend(s.shopId, s.adId, s.day), type: 'spend', v: s.v + 1 };
}

export function pageFromItem(shopId: string, pageId: string, item: Item | undefined): PageState {
  if (!item) return emptyPage(shopId, pageId);
  return {
    shopId,
    pageId,
    v: Number(item.v),
    ids: (item.ids as string[]) ?? [],
    ...(item.connected !== undefined ? { connected: Boolean(item.connected) } : {}),
    ...(item.lastAt !== undefined ? { lastAt: Number(item.lastAt) } : {}),
  };
}

export function pageToItem(p: PageState): Item {
  return { ...p, ...keys.pageState(p.shopId, p.pageId), type: 'page', v: p.v + 1 };
}
