import { z } from 'zod';
import { ValidationError } from '#lib/errors.ts';
import { eventSchema, type CanonicalEvent, type EventOf } from '#lib/events/schema.ts';
import { extractVietnamesePhone } from '#lib/adapters/phone.ts';
import { normalizePhone } from '#lib/ingest/phone.ts';

/**
 * Order webhooks of Haravan, Sapo and Shopify (Shopify's REST order JSON,
 * which the other two follow) → canonical order events (SPEC §1.3). Every
 * state the order shows becomes an event with a deterministic id, so
 * re-sending the whole order (`orders/updated`) is harmless.
 */
export const ORDER_PLATFORMS = ['haravan', 'sapo', 'shopify'] as const;
export type OrderPlatform = (typeof ORDER_PLATFORMS)[number];

export const ORDER_TOPICS = ['orders/create', 'orders/updated', 'orders/cancelled', 'orders/fulfilled', 'orders/paid'] as const;
export type OrderTopic = (typeof ORDER_TOPICS)[number];

const HEADERS: Record<OrderPlatform, { hmac: string; topic: string }> = {
  haravan: { hmac: 'X-Haravan-Hmacsha256', topic: 'X-Haravan-Topic' },
  sapo: { hmac: 'X-Sapo-Hmacsha256', topic: 'X-Sapo-Topic' },
  shopify: { hmac: 'X-Shopify-Hmac-Sha256', topic: 'X-Shopify-Topic' },
};

/** Names of a platform's signature header (base64 HMAC-SHA256 of the raw body) and topic header. */
export function orderHeaders(platform: OrderPlatform): { hmac: string; topic: string } {
  return HEADERS[platform];
}

/** A non-negative decimal amount, kept as an exact scaled integer. */
type Decimal = { units: bigint; scale: number };

function parseDecimal(v: string | number): Decimal | undefined {
  const s = String(v).trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return undefined;
  const frac = m[2] ?? '';
  return { units: BigInt(m[1]! + frac), scale: frac.length };
}
const rescale = (d: Decimal, scale: number) => d.units * 10n ** BigInt(scale - d.scale);
/** Exact decimal → number: "150000.00" → 150000, "19.99" → 19.99 (the double nearest the decimal, no sum drift). */
function toNumber(d: Decimal): number {
  if (d.scale === 0) return Number(d.units);
  const p = 10n ** BigInt(d.scale);
  const whole = d.units / p;
  const frac = (d.units % p).toString().padStart(d.scale, '0').replace(/0+$/, '');
  return Number(frac ? `${whole}.${frac}` : `${whole}`);
}

const money = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const d = parseDecimal(v);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: 'expected a non-negative decimal amount such as "150000.00"' });
    return z.NEVER;
  }
  return d;
});
const id = z.union([z.string().trim().min(1), z.number()]).transform(String);
/** Platforms send ISO-8601 with an offset; an instant without one would land in the wrong day. */
const instant = z
  .string()
  .refine((s) => /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(s.trim()) && !Number.isNaN(Date.parse(s)), 'expected an ISO-8601 date-time with offset');
const optionalInstant = z.string().nullish();
const phoneField = z.string().nullish();
const withPhone = z.looseObject({ phone: phoneField }).nullish();

const orderSchema = z.looseObject({
  id,
  created_at: instant,
  updated_at: optionalInstant,
  cancelled_at: optionalInstant,
  total_price: money,
  financial_status: z.string().nullish(),
  fulfillment_status: z.string().nullish(),
  /** Sapo: open | closed | cancelled */
  status: z.string().nullish(),
  /** Haravan: cancelled | uncancelled */
  cancelled_status: z.string().nullish(),
  phone: phoneField,
  customer: withPhone,
  billing_address: withPhone,
  shipping_address: withPhone,
  line_items: z.array(z.looseObject({ quantity: z.number().int().nonnegative(), price: money.nullish(), cost: money.nullish() })).default([]),
  note_attributes: z.array(z.looseObject({ name: z.string(), value: z.unknown() })).nullish(),
  fulfillments: z
    .array(
      z.looseObject({
        updated_at: optionalInstant,
        /** Shopify: label_printed … in_transit, out_for_delivery, delivered, failure */
        shipment_status: z.string().nullish(),
        /** Haravan carrier status: readytopick, picking, delivering, delivered, return, … */
        carrier_status_code: z.string().nullish(),
        delivered_date: optionalInstant,
        return_date: optionalInstant,
      }),
    )
    .nullish(),
  refunds: z
    .array(
      z.looseObject({
        created_at: optionalInstant,
        /** legacy Shopify boolean; Haravan sends it as a string */
        restock: z.union([z.boolean(), z.string()]).nullish(),
        refund_line_items: z.array(z.looseObject({ restock_type: z.string().nullish() })).nullish(),
      }),
    )
    .nullish(),
});
type Order = z.infer<typeof orderSchema>;

/** A string that is a valid instant, as ISO-8601 UTC; otherwise undefined. */
const isoOrUndefined = (s: string | null | undefined) => (s && !Number.isNaN(Date.parse(s)) ? new Date(Date.parse(s)).toISOString() : undefined);

/** The customer's phone: the first of order, customer, billing and shipping phones that parses. */
function phoneOf(o: Order): string | undefined {
  for (const raw of [o.phone, o.customer?.phone, o.billing_address?.phone, o.shipping_address?.phone]) {
    if (!raw?.trim()) continue;
    const phone = extractVietnamesePhone(raw) ?? normalizePhone(raw);
    if (phone) return phone;
  }
  return undefined;
}

/** Σ quantity × cost, exactly, when every line has a cost; otherwise undefined (profit unknown). */
function costOf(o: Order): number | undefined {
  if (o.line_items.length === 0 || o.line_items.some((l) => l.cost === null || l.cost === undefined)) return undefined;
  const costs = o.line_items.map((l) => l.cost!);
  const scale = Math.max(...costs.map((c) => c.scale));
  const total = o.line_items.reduce((sum, l, i) => sum + BigInt(l.quantity) * rescale(costs[i]!, scale), 0n);
  return toNumber({ units: total, scale });
}

function isCancelled(o: Order, topic: OrderTopic): boolean {
  return Boolean(o.cancelled_at) || topic === 'orders/cancelled' || o.status === 'cancelled' || o.cancelled_status === 'cancelled';
}

/** When the order reached the customer, or undefined when it has not (as far as the payload shows). */
function deliveredAt(o: Order, topic: OrderTopic, later: string): string | undefined {
  for (const f of o.fulfillments ?? []) {
    if (f.delivered_date || f.shipment_status === 'delivered' || f.carrier_status_code === 'delivered') {
      return isoOrUndefined(f.delivered_date) ?? isoOrUndefined(f.updated_at) ?? later;
    }
  }
  if (topic === 'orders/fulfilled' || o.fulfillment_status === 'fulfilled' || o.fulfillment_status === 'delivered') return later;
  return undefined;
}

/**
 * When goods came back, or undefined. A return is a refund that restocked
 * lines (legacy `restock`, or `restock_type: return`), a carrier return, or a
 * full refund of an order that was not cancelled (a cancelled order's refund
 * gives back a prepayment, nothing was returned). Shopify's
 * `restock_type: cancel` removes unfulfilled lines: not a return.
 */
function returnedAt(o: Order, cancelled: boolean, later: string): string | undefined {
  for (const r of o.refunds ?? []) {
    const restocked = r.restock === true || r.restock === 'true' || (r.refund_line_items ?? []).some((l) => l.restock_type === 'return' || l.restock_type === 'legacy_restock');
    if (restocked) return isoOrUndefined(r.created_at) ?? later;
  }
  for (const f of o.fulfillments ?? []) {
    if (f.return_date || f.carrier_status_code === 'return' || f.carrier_status_code === 'returned') return isoOrUndefined(f.return_date) ?? isoOrUndefined(f.updated_at) ?? later;
  }
  if (o.fulfillment_status === 'returned' || (o.financial_status === 'refunded' && !cancelled)) return later;
  return undefined;
}

/**
 * Normalises one order webhook (topics `orders/create`, `orders/updated`,
 * `orders/cancelled`, `orders/fulfilled`, `orders/paid`) to the events its
 * current state implies, each with a deterministic id
 * (`<platform>:<orderId>:created|cancelled|delivered|returned`):
 * `order.created` always (total, cost when every line has one, chat link from
 * `note_attributes` `page_id`, `customer_id`, `staff_id`, `ad_id`,
 * `referral_code`, and the customer's phone), then `order.cancelled`,
 * `order.delivered` and `order.returned` when the order shows them.
 * `pageId` (from the note attributes) lets the caller find the shop.
 * @throws ValidationError for an unsupported topic, a non-object payload, or a
 *   missing/invalid `id`, `created_at` or `total_price` (details name the field).
 */
export function normalizeOrder(platform: OrderPlatform, topic: string, payload: unknown): { events: CanonicalEvent[]; pageId?: string } {
  const t = topic.trim().toLowerCase();
  if (!(ORDER_TOPICS as readonly string[]).includes(t)) {
    throw new ValidationError(`Unsupported order topic ${topic}`, [{ path: 'topic', message: `expected one of ${ORDER_TOPICS.join(', ')}` }]);
  }
  const r = orderSchema.safeParse(payload);
  if (!r.success) throw new ValidationError('Invalid order payload', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const o = r.data;
  const notes = new Map<string, string>();
  for (const n of o.note_attributes ?? []) {
    const value = typeof n.value === 'string' || typeof n.value === 'number' ? String(n.value).trim() : '';
    if (value) notes.set(n.name.trim().toLowerCase(), value);
  }
  const pageId = notes.get('page_id');
  const customerId = notes.get('customer_id');
  const staffId = notes.get('staff_id');
  const adId = notes.get('ad_id');
  const referralCode = notes.get('referral_code');
  const phone = phoneOf(o);
  const cost = costOf(o);
  const orderId = `${platform}:${o.id}`;
  const created: EventOf<'order.created'> = {
    id: `${orderId}:created`,
    kind: 'order.created',
    at: new Date(Date.parse(o.created_at)).toISOString(),
    orderId,
    total: toNumber(o.total_price),
    ...(cost !== undefined ? { cost } : {}),
    ...(pageId ? { pageId } : {}),
    ...(customerId ? { customerId } : {}),
    ...(staffId ? { staffId } : {}),
    ...(adId ? { adId } : {}),
    ...(referralCode ? { referralCode } : {}),
    ...(phone ? { phone } : {}),
  };
  const events: CanonicalEvent[] = [created];
  const later = isoOrUndefined(o.updated_at) ?? created.at;
  const cancelled = isCancelled(o, t as OrderTopic);
  if (cancelled) events.push({ id: `${orderId}:cancelled`, kind: 'order.cancelled', at: isoOrUndefined(o.cancelled_at) ?? later, orderId });
  const delivered = deliveredAt(o, t as OrderTopic, later);
  if (delivered) events.push({ id: `${orderId}:delivered`, kind: 'order.delivered', at: delivered, orderId });
  const returned = returnedAt(o, cancelled, later);
  if (returned) events.push({ id: `${orderId}:returned`, kind: 'order.returned', at: returned, orderId });
  // What the platform sent must also fit the canonical model (ids and amounts within bounds).
  for (const e of events) {
    const checked = eventSchema.safeParse(e);
    if (!checked.success) throw new ValidationError('Order does not fit the canonical event model', checked.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return { events, ...(pageId ? { pageId } : {}) };
}
