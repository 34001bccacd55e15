import { z } from 'zod';

/**
 * The canonical event model (SPEC §1.4). Every adapter (Meta, Zalo, orders)
 * produces these, `POST /v1/events` accepts them, and `GET /v1/openapi.json`
 * publishes them. This module is the only place their fields are listed.
 */

/** Channels a page can belong to. Messages and comments are told apart by event kind. */
export const channelSchema = z.enum(['facebook', 'instagram', 'zalo']);
export type Channel = z.infer<typeof channelSchema>;

const idSchema = z.string().min(1).max(200).describe("The producer's id, used to de-duplicate");
const atSchema = z.iso.datetime({ offset: true }).describe('ISO-8601 instant with offset, e.g. 2026-11-23T20:15:00+07:00');
const pageIdSchema = z.string().min(1).max(128);
const customerIdSchema = z.string().min(1).max(128).describe("The customer's id on the platform (PSID, IGSID, Zalo user id)");
const staffIdSchema = z.string().min(1).max(128);
const moneySchema = z.number().finite().nonnegative().max(1e13).describe('Major units of the shop currency');
const phoneSchema = z.string().min(6).max(32).describe('A phone number the customer gave in chat, used to link orders');

const messageReceived = z.object({
  id: idSchema,
  kind: z.literal('message.received'),
  at: atSchema,
  pageId: pageIdSchema,
  customerId: customerIdSchema,
  phone: phoneSchema.optional(),
  adId: z.string().min(1).max(128).optional().describe('Set when this message came from an ad referral (click-to-Messenger)'),
});

const commentReceived = z.object({
  id: idSchema,
  kind: z.literal('comment.received'),
  at: atSchema,
  pageId: pageIdSchema,
  customerId: customerIdSchema,
  postId: z.string().max(200).optional(),
  commentId: z.string().max(200).optional().describe("The platform's comment id; lets a page's reply to this comment find its customer"),
  phone: phoneSchema.optional(),
});

const replySent = z.object({
  id: idSchema,
  kind: z.literal('reply.sent'),
  at: atSchema,
  pageId: pageIdSchema,
  customerId: customerIdSchema,
  via: z.enum(['message', 'comment']),
  automated: z.boolean().default(false),
  staffId: staffIdSchema.optional().describe('Absent when the replying staff member is unknown'),
});

const orderCreated = z.object({
  id: idSchema,
  kind: z.literal('order.created'),
  at: atSchema,
  orderId: z.string().min(1).max(128),
  pageId: pageIdSchema.optional(),
  customerId: customerIdSchema.optional(),
  phone: phoneSchema.optional(),
  staffId: staffIdSchema.optional(),
  adId: z.string().min(1).max(128).optional(),
  referralCode: z.string().min(1).max(128).optional(),
  total: moneySchema,
  cost: moneySchema.optional().describe('Cost of goods; gross profit needs it'),
});

const orderTransition = (kind: 'order.cancelled' | 'order.delivered' | 'order.returned') =>
  z.object({
    id: idSchema,
    kind: z.literal(kind),
    at: atSchema,
    orderId: z.string().min(1).max(128),
  });

const adSpend = z.object({
  id: idSchema,
  kind: z.literal('ad.spend'),
  at: atSchema.describe('Any instant of the day the spend belongs to'),
  adId: z.string().min(1).max(128),
  campaignId: z.string().min(1).max(128).optional(),
  pageId: pageIdSchema.optional(),
  amount: moneySchema,
});

const referralJoined = z.object({
  id: idSchema,
  kind: z.literal('referral.joined'),
  at: atSchema,
  pageId: pageIdSchema,
  customerId: customerIdSchema,
  code: z.string().min(1).max(128),
  referredBy: customerIdSchema.optional().describe('The customer whose code brought this one in'),
});

const referralShared = z.object({
  id: idSchema,
  kind: z.literal('referral.shared'),
  at: atSchema,
  pageId: pageIdSchema,
  customerId: customerIdSchema,
  code: z.string().min(1).max(128).optional(),
});

const pageConnected = z.object({
  id: idSchema,
  kind: z.literal('page.connected'),
  at: atSchema,
  pageId: pageIdSchema,
});

const pageDisconnected = z.object({
  id: idSchema,
  kind: z.literal('page.disconnected'),
  at: atSchema,
  pageId: pageIdSchema,
});

export const eventSchema = z.discriminatedUnion('kind', [
  messageReceived,
  commentReceived,
  replySent,
  orderCreated,
  orderTransition('order.cancelled'),
  orderTransition('order.delivered'),
  orderTransition('order.returned'),
  adSpend,
  referralJoined,
  referralShared,
  pageConnected,
  pageDisconnected,
]);

export type CanonicalEvent = z.infer<typeof eventSchema>;
export type EventKind = CanonicalEvent['kind'];
export type EventOf<K extends EventKind> = Extract<CanonicalEvent, { kind: K }>;

export const EVENT_KINDS = eventSchema.options.map((o) => o.shape.kind.value) as EventKind[];

export const MAX_EVENTS_PER_BATCH = 500;

export const eventBatchSchema = z.object({
  events: z.array(eventSchema).min(1).max(MAX_EVENTS_PER_BATCH),
});
export type EventBatch = z.infer<typeof eventBatchSchema>;

/** Kinds that concern one customer's conversation with a page. */
export const CONVERSATION_KINDS = ['message.received', 'comment.received', 'reply.sent', 'referral.joined', 'referral.shared'] as const;
export type ConversationEvent = EventOf<(typeof CONVERSATION_KINDS)[number]>;
export type OrderEvent = EventOf<'order.created' | 'order.cancelled' | 'order.delivered' | 'order.returned'>;

export function isConversationEvent(e: CanonicalEvent): e is ConversationEvent {
  return (CONVERSATION_KINDS as readonly string[]).includes(e.kind);
}

export function isOrderEvent(e: CanonicalEvent): e is OrderEvent {
  return e.kind.startsWith('order.');
}
