import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '#lib/errors.ts';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { getShop } from '#lib/store/shops.ts';
import { customerFromItem, orderFromItem } from '#lib/store/state-items.ts';
import { attributedAd } from '#lib/ingest/customer.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { UNKNOWN_STAFF } from '#lib/ingest/context.ts';
import { fromMinor } from '#lib/money.ts';

/**
 * `GET /v1/shops/{shopId}/orders/{orderId}`: an order's derived state and
 * what it is credited to, with the reason, so an integrator can check
 * attribution (SPEC §4.1). Order ids are `<platform>:<platform order id>`
 * for webhooks, or the id a producer gave in `order.created`.
 */
export type OrderView = {
  shopId: string;
  orderId: string;
  currency: string;
  /** `pending`: only later states are known so far (the creation has not arrived) */
  status: 'pending' | 'created' | 'delivered' | 'returned' | 'cancelled';
  total: number | null;
  cost: number | null;
  createdAt: string | null;
  cancelledAt: string | null;
  deliveredAt: string | null;
  returnedAt: string | null;
  /** The page the order counts on (null: no page, it counts in shop totals only) */
  pageId: string | null;
  /** `linkedBy` is null for orders stored before the reason was recorded */
  conversation: { pageId: string; customerId: string; linkedBy: 'note_attributes' | 'phone' | null } | null;
  staff: { staffId: string; reason: 'note_attributes' | 'none' };
  ad: { adId: string; reason: 'note_attributes' | 'referral' } | null;
  referralCode: string | null;
};

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());

export async function getOrderView(shopId: string, orderId: string): Promise<OrderView> {
  const shop = await getShop(shopId);
  if (!shop) throw new NotFoundError(`Unknown shop ${shopId}`);
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.order(shopId, orderId) }));
  if (!res.Item) throw new NotFoundError(`Unknown order ${orderId}: webhook orders are named <platform>:<platform order id>, e.g. haravan:1001234567`);
  const o = orderFromItem(shopId, orderId, res.Item);
  const rules = rulesOf(shop);
  const money = (minor: number | undefined) => (minor === undefined ? null : fromMinor(minor, shop.currency));
  const conversation = o.pageId && o.customerId ? { pageId: o.pageId, customerId: o.customerId, linkedBy: o.linkedBy ?? null } : null;
  let ad: OrderView['ad'] = o.adId ? { adId: o.adId, reason: 'note_attributes' } : null;
  if (!ad && conversation && o.createdAt !== undefined) {
    // the conversation credits the order to its last ad referral within the window (as the rollups do)
    const item = await db().send(new GetCommand({ TableName: tableName(), Key: keys.customer(shopId, conversation.pageId, conversation.customerId) }));
    const customer = customerFromItem(shopId, conversation.pageId, conversation.customerId, item.Item);
    const adId = attributedAd(customer, o.createdAt, rules.attributionWindowMs);
    if (adId) ad = { adId, reason: 'referral' };
  }
  const status: OrderView['status'] =
    o.createdAt === undefined ? 'pending' : o.cancelled ? 'cancelled' : o.returned ? 'returned' : o.delivered ? 'delivered' : 'created';
  return {
    shopId,
    orderId,
    currency: shop.currency,
    status,
    total: money(o.totalMinor),
    cost: money(o.costMinor),
    createdAt: iso(o.createdAt),
    cancelledAt: iso(o.cancelledAt),
    deliveredAt: iso(o.deliveredAt),
    returnedAt: iso(o.returnedAt),
    pageId: o.pageId ?? null,
    conversation,
    staff: o.staffId ? { staffId: o.staffId, reason: 'note_attributes' } : { staffId: UNKNOWN_STAFF, reason: 'none' },
    ad,
    referralCode: o.referralCode ?? null,
  };
}
