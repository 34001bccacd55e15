import { z } from 'zod';
import { ValidationError } from '#lib/errors.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import { normalizePhone } from '#lib/ingest/phone.ts';

/**
 * Order webhooks of Haravan, Sapo and Shopify (Shopify's REST order JSON,
 * which the other two follow) → canonical order events. Every state the
 * order shows becomes an event with a deterministic id, so re-sending the
 * whole order (orders/updated) is harmless.
 */
export const ORDER_PLATFORMS = ['haravan', 'sapo', 'shopify'] as const;
export type OrderPlatform = (typeof ORDER_PLATFORMS)[number];

export const ORDER_TOPICS = ['orders/create', 'orders/updated', 'orders/cancelled', 'orders/fulfilled', 'orders/paid'] as const;

export function orderHeaders(platform: OrderPlatform): { hmac: string; topic: string } {
  return {
    haravan: { hmac: 'X-Haravan-Hmacsha256', topic: 'X-Haravan-Topic' },
    sapo: { hmac: 'X-Sapo-Hmacsha256', topic: 'X-Sapo-Topic' },
    shopify: { hmac: 'X-Shopify-Hmac-Sha256', topic: 'X-Shopify-Topic' },
  }[platform];
}

const id = z.union([z.string().min(1), z.number()]).transform(String);
const money = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = String(v).trim();
  if (!/^-?\d+(\.\d+)?$/.test(s)) {
    ctx.addIssue({ code: 'custom', message: 'expected a decimal amount' });
    return z.NEVER;
  }
  return Number(s);
});
const nullableDate = z.string().nullish();
const orderSchema = z
  .object({
    id,
    created_at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected a date-time'),
    updated_at: nullableDate,
    cancelled_at: nullableDate,
    total_price: money,
    financial_status: z.string().nullish(),
    fulfillment_status: z.string().nullish(),
    status: z.string().nullish(),
    phone: z.string().nullish(),
    customer: z.object({ phone: z.string().nullish() }).passthrough().nullish(),
    billing_address: z.object({ phone: z.string().nullish() }).passthrough().nullish(),
    shipping_address: z.object({ phone: z.string().nullish() }).passthrough().nullish(),
    line_items: z.array(z.object({ quantity: z.number(), price: money.optional(), cost: money.nullish() }).passthrough()).default([]),
    note_attributes: z.array(z.object({ name: z.string(), value: z.unknown() }).passthrough()).nullish(),
    refunds: z.array(z.unknown()).nullish(),
  })
  .passthrough();

const iso = (s: string) => new Date(Date.parse(s)).toISOString();

/** Normalises one order webhook. `pageId` (from note attributes) lets the caller find the shop. */
export function normalizeOrder(platform: OrderPlatform, topic: string, payload: unknown): { events: CanonicalEvent[]; pageId?: string } {
  if (!(ORDER_TOPICS as readonly string[]).includes(topic)) {
    throw new ValidationError(`Unsupported order topic ${topic}`, [{ path: 'topic', message: `expected one of ${ORDER_TOPICS.join(', ')}` }]);
  }
  const r = orderSchema.safeParse(payload);
  if (!r.success) throw new ValidationError('Invalid order payload', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const o = r.data;
  const notes = new Map((o.note_attributes ?? []).map((n) => [n.name.trim().toLowerCase(), n.value === null || n.value === undefined ? '' : String(n.value).trim()]));
  const note = (k: string) => (notes.get(k) ? notes.get(k) : undefined);
  const phoneRaw = o.phone ?? o.customer?.phone ?? o.billing_address?.phone ?? o.shipping_address?.phone ?? undefined;
  const phone = phoneRaw ? normalizePhone(phoneRaw) : undefined;
  const orderId = `${platform}:${o.id}`;
  const allCosts = o.line_items.length > 0 && o.line_items.every((l) => l.cost !== null && l.cost !== undefined);
  const cost = allCosts ? o.line_items.reduce((a, l) => a + l.quantity * (l.cost as number), 0) : undefined;
  const events: CanonicalEvent[] = [
    {
      id: `${orderId}:created`,
      kind: 'order.created',
      at: iso(o.created_at),
      orderId,
      total: o.total_price,
      ...(cost !== undefined ? { cost: Math.round(cost * 100) / 100 } : {}),
      ...(note('page_id') ? { pageId: note('page_id')! } : {}),
      ...(note('customer_id') ? { customerId: note('customer_id')! } : {}),
      ...(note('staff_id') ? { staffId: note('staff_id')! } : {}),
      ...(note('ad_id') ? { adId: note('ad_id')! } : {}),
      ...(note('referral_code') ? { referralCode: note('referral_code')! } : {}),
      ...(phone ? { phone } : {}),
    },
  ];
  const later = o.updated_at && !Number.isNaN(Date.parse(o.updated_at)) ? iso(o.updated_at) : iso(o.created_at);
  if (o.cancelled_at || topic === 'orders/cancelled' || o.status === 'cancelled') {
    events.push({ id: `${orderId}:cancelled`, kind: 'order.cancelled', at: o.cancelled_at ? iso(o.cancelled_at) : later, orderId });
  }
  const delivered = topic === 'orders/fulfilled' || o.fulfillment_status === 'fulfilled' || o.fulfillment_status === 'delivered';
  if (delivered) events.push({ id: `${orderId}:delivered`, kind: 'order.delivered', at: later, orderId });
  if (o.financial_status === 'refunded' || o.fulfillment_status === 'returned' || (o.refunds && o.refunds.length > 0 && o.financial_status !== 'partially_refunded')) {
    events.push({ id: `${orderId}:returned`, kind: 'order.returned', at: later, orderId });
  }
  return { events, ...(note('page_id') ? { pageId: note('page_id')! } : {}) };
}
