import * as z from '#lib/zod.ts';
import { ValidationError } from '#lib/errors.ts';
import { eventSchema, type CanonicalEvent, type EventOf } from '#lib/events/schema.ts';
import { extractVietnamesePhone } from '#lib/adapters/phone.ts';
import { normalizePhone } from '#lib/ingest/phone.ts';

/**
 * Order webhooks of Haravan, Sapo and Shopify → canonical order events
 * (SPEC §1.3). Haravan and Sapo Web follow Shopify's REST order JSON; Sapo
 * GO (omnichannel) sends its own shape (`code`, `created_on`, `modified_on`,
 * `total`, `order_line_items`, `customer_data`), read here as far as public
 * samples show. Every state the order shows becomes an event with a
 * deterministic id, so re-sending the whole order (`orders/updated`) is
 * harmless; its order.created carries the body's `updated_at` as the
 * order's version, so an edit (a later one) replaces the order's amount and
 * attribution once and an older body changes nothing (lib/ingest/order.ts). Order ids are `<platform>:<platform order id>`, the exact digits
 * the platform sent (never through a float: see `parseOrderJson`).
 */
export const ORDER_PLATFORMS = ['haravan', 'sapo', 'shopify'] as const;
export type OrderPlatform = (typeof ORDER_PLATFORMS)[number];

/** Topics whose payload is an order; any other topic is acknowledged and ignored. */
export const ORDER_TOPICS = ['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled', 'orders/fulfilled', 'orders/partially_fulfilled'] as const;
export type OrderTopic = (typeof ORDER_TOPICS)[number];
/**
 * Topics whose payload is one fulfillment naming its `order_id`: Shopify
 * reports carrier progress (`shipment_status`) through them, so a delivery
 * counts even when no order webhook follows.
 */
export const FULFILLMENT_TOPICS = ['fulfillments/create', 'fulfillments/update'] as const;

const HEADERS: Record<OrderPlatform, { hmac: string[]; topic: string }> = {
  haravan: { hmac: ['X-Haravan-Hmacsha256'], topic: 'X-Haravan-Topic' },
  // real deliveries and public integrations use the hyphenated name; the other spelling is accepted too
  sapo: { hmac: ['X-Sapo-Hmac-Sha256', 'X-Sapo-Hmacsha256'], topic: 'X-Sapo-Topic' },
  shopify: { hmac: ['X-Shopify-Hmac-Sha256'], topic: 'X-Shopify-Topic' },
};

/** Names of a platform's signature headers (base64 HMAC-SHA256 of the raw body; first is canonical) and topic header. */
export function orderHeaders(platform: OrderPlatform): { hmac: string[]; topic: string } {
  return HEADERS[platform];
}

/**
 * The topic as one of ours, or undefined for a topic we do not use. Case and
 * spaces are ignored; Sapo's singular forms (`order/update`, `orders/update`)
 * mean `orders/updated`.
 */
export function orderTopicOf(topic: string): OrderTopic | undefined {
  let t = topic.trim().toLowerCase().replace(/^order\//, 'orders/');
  if (t === 'orders/update') t = 'orders/updated';
  if (t === 'orders/cancel') t = 'orders/cancelled';
  return (ORDER_TOPICS as readonly string[]).includes(t) ? (t as OrderTopic) : undefined;
}

/**
 * JSON.parse that keeps every number with more than 15 significant digits as
 * its exact text: such literals (outside strings) are quoted before parsing,
 * so an order id of 1234567890123456789 stays "1234567890123456789" and a
 * money amount keeps its decimals. Works on Node 20 (no reviver `context.source`).
 * @throws ValidationError when the body is not JSON.
 */
export function parseOrderJson(raw: Buffer | string): unknown {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) continue;
      const token = m[0];
      if (!/[eE]/.test(token) && token.replace(/[-.]/g, '').replace(/^0+/, '').length > 15) {
        out += `${text.slice(last, i)}"${token}"`;
        last = i + token.length;
      }
      i += token.length - 1;
    }
  }
  try {
    return JSON.parse(out + text.slice(last));
  } catch (err) {
    throw new ValidationError('Request body is not valid JSON', [{ path: '', message: (err as Error).message }]);
  }
}

/** A non-negative decimal amount, kept as an exact scaled integer. */
export type Decimal = { units: bigint; scale: number };

/** "150000.00" → {15000000n, 2}; numbers by their shortest decimal text; undefined when not a non-negative decimal. */
export function parseDecimal(v: string | number): Decimal | undefined {
  if (typeof v === 'number' && (!Number.isFinite(v) || v < 0)) return undefined;
  let s = String(v).trim();
  // a number like 1e-7 prints in exponent form: give it a plain decimal form
  if (typeof v === 'number' && /e/i.test(s)) s = v.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
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
/** Exact product of two decimals. */
const times = (a: Decimal, b: Decimal): Decimal => ({ units: a.units * b.units, scale: a.scale + b.scale });

const decimal = (what: string) =>
  z.pipe(
    z.union([z.string(), z.number()]),
    z.transform((v, ctx) => {
      const d = parseDecimal(v);
      if (!d) {
        ctx.issues.push({ code: 'custom', message: `expected a non-negative decimal ${what} such as "150000.00"`, input: v });
        return z.NEVER;
      }
      return d;
    }),
  );
const money = decimal('amount');
/** An id as the platform's exact text: strings, or numbers that are exact integers (big ones arrive quoted by parseOrderJson). */
const id = z.union([
  z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  z.pipe(z.number().check(z.refine((n) => Number.isSafeInteger(n) && n >= 0, 'expected an integer id')), z.transform(String)),
]);
/** Platforms send ISO-8601 with an offset; an instant without one would land in the wrong day. */
const instant = z
  .string()
  .check(z.refine((s) => /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(s.trim()) && !Number.isNaN(Date.parse(s)), 'expected an ISO-8601 date-time with offset'));
const optionalInstant = z.nullish(z.string());
const optionalString = z.nullish(z.string());
const text = z.nullish(z.pipe(z.union([z.string(), z.number()]), z.transform(String)));
const withPhone = z.nullish(z.looseObject({ phone: text, phone_number: text }));

const lineSchema = z.looseObject({
  /** Sapo GO allows fractional quantities (0.1 kg) */
  quantity: decimal('quantity'),
  price: z.nullish(money),
  cost: z.nullish(money),
  sku: text,
  variant_id: z.nullish(id),
});

const fulfillmentSchema = z.looseObject({
  updated_at: optionalInstant,
  /** Sapo GO */
  modified_on: optionalInstant,
  /** Shopify: label_printed, label_purchased, attempted_delivery, ready_for_pickup, confirmed, in_transit, out_for_delivery, delivered, failure */
  shipment_status: optionalString,
  /** Haravan carrier status: pending, readytopick, picking, delivering, delivered, notmeetcustomer, waitingforreturn, return, cancel */
  carrier_status_code: optionalString,
  delivered_date: optionalInstant,
  return_date: optionalInstant,
  /** Sapo GO: packed → shipped → received (the customer has it); Shopify: pending, open, success, cancelled, error, failure */
  status: optionalString,
  /** Sapo GO: packed, fulfilled, retry_delivery, received, fulfilled_cancelling, fulfilled_cancelled */
  composite_fulfillment_status: optionalString,
  received_on: optionalInstant,
});

const orderSchema = z.looseObject({
  id,
  created_at: z.optional(instant),
  /** Sapo GO */
  created_on: z.optional(instant),
  updated_at: optionalInstant,
  modified_on: optionalInstant,
  cancelled_at: optionalInstant,
  cancelled_on: optionalInstant,
  total_price: z.optional(money),
  /** Sapo GO */
  total: z.optional(money),
  financial_status: optionalString,
  fulfillment_status: optionalString,
  /** Sapo: open | closed | cancelled; Sapo GO: draft | finalized | completed | finished | cancelled */
  status: optionalString,
  /** Haravan: cancelled | uncancelled */
  cancelled_status: optionalString,
  /** Sapo GO: unreceived | received (the customer received the goods) */
  received_status: optionalString,
  /** Sapo GO: unreturned | partial | returned */
  return_status: optionalString,
  phone: text,
  phone_number: text,
  customer: withPhone,
  /** Sapo GO */
  customer_data: withPhone,
  billing_address: withPhone,
  shipping_address: withPhone,
  line_items: z.nullish(z.array(lineSchema)),
  order_line_items: z.nullish(z.array(lineSchema)),
  note_attributes: z.nullish(z.array(z.looseObject({ name: z.string(), value: z.unknown() }))),
  fulfillments: z.nullish(z.array(fulfillmentSchema)),
  refunds: z.nullish(
    z.array(
      z.looseObject({
        created_at: optionalInstant,
        /** legacy Shopify boolean; Haravan sends it as a string */
        restock: z.nullish(z.union([z.boolean(), z.string()])),
        refund_line_items: z.nullish(z.array(z.looseObject({ restock_type: optionalString }))),
      }),
    ),
  ),
  /** Shopify: a test order (test gateway, "send test notification"); Haravan and Sapo Web copy Shopify's order JSON */
  test: z.nullish(z.union([z.boolean(), z.string()])),
  /** ISO-4217 code of the order's amounts (the shop's currency on Shopify; `presentment_currency` is the buyer's) */
  currency: optionalString,
  /** Sapo GO returns */
  order_returns: z.nullish(z.array(z.looseObject({ status: optionalString, received_on: optionalInstant, modified_on: optionalInstant }))),
});
type Order = z.infer<typeof orderSchema>;
type Fulfillment = z.infer<typeof fulfillmentSchema>;

/** One order line as the cost of goods needs it. */
export type OrderLine = { quantity: Decimal; cost?: Decimal; sku?: string; variantId?: string };

/** What an order webhook says, platform shapes unified. */
export type OrderFacts = {
  platform: OrderPlatform;
  /** `<platform>:<platform order id>` */
  orderId: string;
  createdAt: string;
  /** the body's version: its `updated_at` (Sapo GO `modified_on`) when it sends a usable one; an edit of the order sends a later one */
  updatedAt?: string;
  total: Decimal;
  lines: OrderLine[];
  notes: Map<string, string>;
  phone?: string;
  /** the order's currency as the body states it (upper case), when it states one */
  currency?: string;
  cancelledAt?: string;
  deliveredAt?: string;
  returnedAt?: string;
};

/** A string that is a valid instant, as ISO-8601 UTC; otherwise undefined. */
const isoOrUndefined = (s: string | null | undefined) => (s && !Number.isNaN(Date.parse(s)) ? new Date(Date.parse(s)).toISOString() : undefined);
const lower = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();

/** The customer's phone: the first of order, customer, billing and shipping phones that parses. */
function phoneOf(o: Order): string | undefined {
  const candidates = [o.phone, o.phone_number, o.customer?.phone, o.customer?.phone_number, o.customer_data?.phone_number, o.customer_data?.phone];
  for (const a of [o.billing_address, o.shipping_address]) candidates.push(a?.phone, a?.phone_number);
  for (const raw of candidates) {
    if (!raw?.trim()) continue;
    const phone = extractVietnamesePhone(raw) ?? normalizePhone(raw);
    if (phone) return phone;
  }
  return undefined;
}

/** Cancelled as the signed body shows it; the topic header is not signed and never decides (issue 21). */
function isCancelled(o: Order): boolean {
  return Boolean(o.cancelled_at || o.cancelled_on) || lower(o.status) === 'cancelled' || lower(o.cancelled_status) === 'cancelled';
}

/** A test order: `test: true` (Shopify's documented flag; Haravan and Sapo Web send the same field on Shopify-shaped orders). */
const isTest = (v: unknown) => v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'true');

/**
 * Whether a body is one fulfillment rather than an order: it names its
 * `order_id` and carries no order total. Decided from the signed body, so a
 * body sent again under another topic header is read the same way.
 */
function isFulfillmentBody(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return false;
  const b = payload as Record<string, unknown>;
  return b.order_id !== undefined && b.order_id !== null && b.total_price === undefined;
}

/** The parcel came back to the shop (or is on its way back with nothing delivered): carrier return, Sapo cancelled delivery. */
function fulfillmentReturned(f: Fulfillment): boolean {
  const carrier = lower(f.carrier_status_code);
  return carrier === 'return' || carrier === 'returned' || Boolean(f.return_date) || lower(f.composite_fulfillment_status) === 'fulfilled_cancelled';
}

/** The parcel reached the customer. Handed to the carrier, in transit, failed or returned is not delivered. */
function fulfillmentDelivered(f: Fulfillment): boolean {
  if (fulfillmentReturned(f)) return false;
  return (
    lower(f.shipment_status) === 'delivered' ||
    lower(f.carrier_status_code) === 'delivered' ||
    Boolean(f.delivered_date) ||
    lower(f.status) === 'received' ||
    lower(f.composite_fulfillment_status) === 'received'
  );
}

const fulfillmentTime = (f: Fulfillment) => isoOrUndefined(f.updated_at) ?? isoOrUndefined(f.modified_on);

/** When the order reached the customer (SPEC §1.3), or undefined when it has not as far as the payload shows. */
function deliveredAt(o: Order, later: string): string | undefined {
  const fulfillments = o.fulfillments ?? [];
  for (const f of fulfillments) {
    if (fulfillmentDelivered(f)) return isoOrUndefined(f.delivered_date) ?? isoOrUndefined(f.received_on) ?? fulfillmentTime(f) ?? later;
  }
  // Sapo GO's order-level flag, unless the only parcels came back
  if (lower(o.received_status) === 'received' && !fulfillments.some(fulfillmentReturned)) return later;
  return undefined;
}

/**
 * When goods came back, or undefined. A return is a refund that restocked
 * lines (legacy `restock`, or `restock_type: return`), a carrier return or
 * Sapo cancelled delivery, a Sapo GO order return, or a full refund of an
 * order that was not cancelled (a cancelled order's refund gives back a
 * prepayment, nothing was returned). Shopify's `restock_type: cancel` removes
 * unfulfilled lines: not a return.
 */
function returnedAt(o: Order, cancelled: boolean, later: string): string | undefined {
  for (const r of o.refunds ?? []) {
    const restocked = r.restock === true || r.restock === 'true' || (r.refund_line_items ?? []).some((l) => l.restock_type === 'return' || l.restock_type === 'legacy_restock');
    if (restocked) return isoOrUndefined(r.created_at) ?? later;
  }
  for (const f of o.fulfillments ?? []) if (fulfillmentReturned(f)) return isoOrUndefined(f.return_date) ?? fulfillmentTime(f) ?? later;
  for (const r of o.order_returns ?? []) if (lower(r.status) === 'returned') return isoOrUndefined(r.received_on) ?? isoOrUndefined(r.modified_on) ?? later;
  if (lower(o.return_status) === 'returned' || lower(o.fulfillment_status) === 'returned' || (lower(o.financial_status) === 'refunded' && !cancelled)) return later;
  return undefined;
}

const issuesOf = (e: z.core.$ZodError) => e.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));

/**
 * Reads one order webhook. A topic we do not use gives `{ignored}` (the
 * caller acknowledges it). For the topics we use, the topic header only says
 * that the body is worth reading: it is not signed, so what the order is
 * (an order or one fulfillment, cancelled, delivered, returned, a test) comes
 * from the signed body alone, and the same body gives the same facts under
 * any topic. A test order gives `{test}` (acknowledged, not counted).
 * @throws ValidationError for a non-object payload, or a missing/invalid `id`,
 *   creation time (`created_at`, Sapo GO `created_on`) or total (`total_price`,
 *   Sapo GO `total`); details name the field.
 */
export function readOrderWebhook(
  platform: OrderPlatform,
  topic: string,
  payload: unknown,
): { ignored: string } | { test: string } | { order: OrderFacts } | { fulfillment: CanonicalEvent[] } {
  if (!orderTopicOf(topic) && !(FULFILLMENT_TOPICS as readonly string[]).includes(topic.trim().toLowerCase())) return { ignored: topic.trim().slice(0, 100) };
  if (isFulfillmentBody(payload)) return { fulfillment: fulfillmentEvents(platform, payload) };
  if (typeof payload === 'object' && payload !== null && isTest((payload as { test?: unknown }).test)) {
    const id = (payload as { id?: unknown }).id;
    return { test: `${platform}:${typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 100) : '(no id)'}` };
  }
  const r = orderSchema.safeParse(payload);
  if (!r.success) throw new ValidationError('Invalid order payload', issuesOf(r.error));
  const o = r.data;
  const created = o.created_at ?? o.created_on;
  const total = o.total_price ?? o.total;
  const missing = [
    ...(created ? [] : [{ path: 'created_at', message: 'required (created_at, or created_on for Sapo GO)' }]),
    ...(total ? [] : [{ path: 'total_price', message: 'required (total_price, or total for Sapo GO)' }]),
  ];
  if (missing.length > 0) throw new ValidationError('Invalid order payload', missing);
  const notes = new Map<string, string>();
  for (const n of o.note_attributes ?? []) {
    const value = typeof n.value === 'string' || typeof n.value === 'number' ? String(n.value).trim() : '';
    if (value) notes.set(n.name.trim().toLowerCase(), value);
  }
  const createdAt = new Date(Date.parse(created!)).toISOString();
  const later = isoOrUndefined(o.updated_at) ?? isoOrUndefined(o.modified_on) ?? createdAt;
  // the version orders edits by (lib/ingest/order.ts); one outside the canonical model's years is left out (the version is then the creation time)
  const version = [isoOrUndefined(o.updated_at), isoOrUndefined(o.modified_on)].find((t) => t !== undefined && t >= '2000' && t < '2100');
  const cancelled = isCancelled(o);
  const currency = o.currency?.trim().toUpperCase();
  const phone = phoneOf(o);
  const delivered = deliveredAt(o, later);
  const returned = returnedAt(o, cancelled, later);
  const lines = (o.line_items ?? o.order_line_items ?? []).map((l) => ({
    quantity: l.quantity,
    ...(l.cost ? { cost: l.cost } : {}),
    ...(l.sku?.trim() ? { sku: l.sku.trim() } : {}),
    ...(l.variant_id ? { variantId: l.variant_id } : {}),
  }));
  return {
    order: {
      platform,
      orderId: `${platform}:${o.id}`,
      createdAt,
      ...(version ? { updatedAt: version } : {}),
      total: total!,
      lines,
      notes,
      ...(phone ? { phone } : {}),
      ...(currency ? { currency } : {}),
      ...(cancelled ? { cancelledAt: isoOrUndefined(o.cancelled_at) ?? isoOrUndefined(o.cancelled_on) ?? later } : {}),
      ...(delivered ? { deliveredAt: delivered } : {}),
      ...(returned ? { returnedAt: returned } : {}),
    },
  };
}

const fulfillmentPayloadSchema = z.extend(fulfillmentSchema, { order_id: id, created_at: optionalInstant });

/**
 * A fulfillment webhook → `order.delivered` or `order.returned` of its order
 * (same ids as the order webhooks give, so either path counts once), or
 * nothing while the parcel is on its way.
 * @throws ValidationError without a valid `order_id`.
 */
function fulfillmentEvents(platform: OrderPlatform, payload: unknown): CanonicalEvent[] {
  const r = fulfillmentPayloadSchema.safeParse(payload);
  if (!r.success) throw new ValidationError('Invalid fulfillment payload', issuesOf(r.error));
  const f = r.data;
  const orderId = `${platform}:${f.order_id}`;
  const when = (...c: Array<string | null | undefined>) => c.map(isoOrUndefined).find(Boolean) ?? new Date().toISOString();
  const events: CanonicalEvent[] = [];
  if (fulfillmentDelivered(f)) events.push({ id: `${orderId}:delivered`, kind: 'order.delivered', at: when(f.delivered_date, f.received_on, f.updated_at, f.modified_on, f.created_at), orderId });
  if (fulfillmentReturned(f)) events.push({ id: `${orderId}:returned`, kind: 'order.returned', at: when(f.return_date, f.updated_at, f.modified_on, f.created_at), orderId });
  for (const e of events) {
    const checked = eventSchema.safeParse(e);
    if (!checked.success) throw new ValidationError('Fulfillment does not fit the canonical event model', issuesOf(checked.error));
  }
  return events;
}

/** The shop's cost table as the adapter needs it: cost of a variant id or a SKU. */
export type CostLookup = { byVariant: Map<string, Decimal>; bySku: Map<string, Decimal> };

/** Lines without their own cost: the variant ids and SKUs to look up in the cost table. */
export function costRefsOf(order: OrderFacts): { variantIds: string[]; skus: string[] } {
  const open = order.lines.filter((l) => !l.cost);
  return { variantIds: [...new Set(open.flatMap((l) => (l.variantId ? [l.variantId] : [])))], skus: [...new Set(open.flatMap((l) => (l.sku ? [l.sku] : [])))] };
}

/**
 * Σ quantity × cost, exactly, when every line has a cost (its own, else the
 * cost table's by variant id, then SKU); otherwise undefined (profit unknown).
 */
function costOf(lines: OrderLine[], costs?: CostLookup): number | undefined {
  if (lines.length === 0) return undefined;
  const each: Decimal[] = [];
  for (const l of lines) {
    const c = l.cost ?? (l.variantId ? costs?.byVariant.get(l.variantId) : undefined) ?? (l.sku ? costs?.bySku.get(l.sku) : undefined);
    if (!c) return undefined;
    each.push(times(l.quantity, c));
  }
  const scale = Math.max(...each.map((c) => c.scale));
  return toNumber({ units: each.reduce((sum, c) => sum + rescale(c, scale), 0n), scale });
}

/**
 * The events an order's current state implies, each with a deterministic id
 * (`<orderId>:created|cancelled|delivered|returned`): `order.created` always
 * (total, cost when every line has one, chat link from `note_attributes`
 * `page_id`, `customer_id`, `staff_id`, `ad_id`, `referral_code`, and the
 * customer's phone), then `order.cancelled`, `order.delivered` and
 * `order.returned` when the order shows them.
 * @throws ValidationError when what the platform sent does not fit the canonical model.
 */
export function orderEvents(order: OrderFacts, costs?: CostLookup): CanonicalEvent[] {
  const { orderId, notes } = order;
  const cost = costOf(order.lines, costs);
  const optional = (key: keyof EventOf<'order.created'>, note: string) => (notes.get(note) ? { [key]: notes.get(note) } : {});
  const created = {
    id: `${orderId}:created`,
    kind: 'order.created',
    at: order.createdAt,
    orderId,
    total: toNumber(order.total),
    ...(cost !== undefined ? { cost } : {}),
    ...optional('pageId', 'page_id'),
    ...optional('customerId', 'customer_id'),
    ...optional('staffId', 'staff_id'),
    ...optional('adId', 'ad_id'),
    ...optional('referralCode', 'referral_code'),
    ...(order.phone ? { phone: order.phone } : {}),
    ...(order.updatedAt ? { updatedAt: order.updatedAt } : {}),
  } as EventOf<'order.created'>;
  const events: CanonicalEvent[] = [created];
  if (order.cancelledAt) events.push({ id: `${orderId}:cancelled`, kind: 'order.cancelled', at: order.cancelledAt, orderId });
  if (order.deliveredAt) events.push({ id: `${orderId}:delivered`, kind: 'order.delivered', at: order.deliveredAt, orderId });
  if (order.returnedAt) events.push({ id: `${orderId}:returned`, kind: 'order.returned', at: order.returnedAt, orderId });
  // What the platform sent must also fit the canonical model (ids and amounts within bounds).
  for (const e of events) {
    const checked = eventSchema.safeParse(e);
    if (!checked.success) throw new ValidationError('Order does not fit the canonical event model', issuesOf(checked.error));
  }
  return events;
}

/**
 * Note attributes are buyer-editable (SPEC §1.3): a page of another shop
 * (with the customer id that goes with it) and a staff id that is not the
 * shop's staff are dropped, so the order links by phone or stays unlinked,
 * and its sales go to `unknown`.
 */
export function scopeToShop(events: CanonicalEvent[], shop: { pages: Array<{ pageId: string }>; staff: Array<{ staffId: string }> }): CanonicalEvent[] {
  const pages = new Set(shop.pages.map((p) => p.pageId));
  const staff = new Set(shop.staff.map((s) => s.staffId));
  return events.map((e) => {
    if (e.kind !== 'order.created') return e;
    const { pageId, customerId, staffId, ...rest } = e;
    return {
      ...rest,
      ...(pageId && pages.has(pageId) ? { pageId, ...(customerId ? { customerId } : {}) } : {}),
      ...(staffId && staff.has(staffId) ? { staffId } : {}),
    } as EventOf<'order.created'>;
  });
}

/** One order webhook → its events (tests and callers without a cost table); `{ignored}` for other topics. */
export function normalizeOrder(platform: OrderPlatform, topic: string, payload: unknown, costs?: CostLookup): { events: CanonicalEvent[]; ignored?: string } {
  const read = readOrderWebhook(platform, topic, payload);
  if ('ignored' in read) return { events: [], ignored: read.ignored };
  if ('test' in read) return { events: [], ignored: 'test' };
  if ('fulfillment' in read) return { events: read.fulfillment };
  return { events: orderEvents(read.order, costs) };
}
