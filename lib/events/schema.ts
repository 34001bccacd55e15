import * as z from '#lib/zod.ts';
import { channelSchema, type Channel } from '#lib/events/channel.ts';

/**
 * The canonical event model (SPEC §1.4). Every adapter (Meta, Zalo, orders)
 * produces these, `POST /v1/events` accepts them, and `GET /v1/openapi.json`
 * publishes them. This module is the only place their fields are listed.
 */

/** Channels (lib/events/channel.ts, where shop settings import them from). */
export { channelSchema, type Channel };

/** A string of `min`..`max` characters. */
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const idSchema = text(1, 200).check(z.describe("The producer's id, used to de-duplicate"));
const atSchema = z.iso.datetime({ offset: true }).check(
  z.refine((s) => Date.parse(s) >= Date.UTC(2000, 0, 1) && Date.parse(s) < Date.UTC(2100, 0, 1), 'expected an instant from 2000 to 2099'),
  z.describe('ISO-8601 instant with offset, e.g. 2026-11-23T20:15:00+07:00'),
);
const pageIdSchema = text(1, 128);
const customerIdSchema = text(1, 128).check(z.describe("The customer's id on the platform (PSID, IGSID, Zalo user id)"));
const staffIdSchema = text(1, 128);
const moneySchema = z.number().check(z.nonnegative(), z.maximum(1e13), z.describe('Major units of the shop currency'));
const phoneSchema = text(6, 32).check(z.describe('A phone number the customer gave in chat, used to link orders'));
const commentIdSchema = text(1, 200);
/** `z.optional(schema)` with a description of its own. */
const optional = <T extends z.core.SomeType>(schema: T, description: string) => z.optional(schema).check(z.describe(description));

const messageReceived = z.object({
  id: idSchema,
  kind: z.literal('message.received'),
  at: atSchema,
  pageId: pageIdSchema,
  customerId: customerIdSchema,
  phone: z.optional(phoneSchema),
  adId: optional(text(1, 128), 'Set when this message came from an ad referral (click-to-Messenger)'),
  adTitle: optional(text(1, 200), "The ad's title from the referral (Meta `ads_context_data.ad_title`); shown where no `adName` is known"),
  attributionOnly: optional(
    z.literal(true),
    'An ad referral or a Get Started tap that carried no text or attachment (SPEC §1.1): it credits the conversation to `adId` and is not a message: it opens no wait and reaches no one (the customer is reached when they write)',
  ),
}).check(z.refine((e) => !e.attributionOnly || e.adId !== undefined, { message: 'attributionOnly needs the adId it credits', path: ['adId'] }));

const commentReceived = z.object({
  id: idSchema,
  kind: z.literal('comment.received'),
  at: atSchema,
  pageId: pageIdSchema,
  customerId: customerIdSchema,
  postId: z.optional(z.string().check(z.maxLength(200))),
  commentId: optional(commentIdSchema, "The platform's comment id; lets a page's reply to this comment find its customer"),
  phone: z.optional(phoneSchema),
});

const replySent = z
  .object({
    id: idSchema,
    kind: z.literal('reply.sent'),
    at: atSchema,
    pageId: pageIdSchema,
    customerId: optional(customerIdSchema, 'The customer replied to; may be left out of a comment reply that names `commentId`'),
    via: z.enum(['message', 'comment']),
    commentId: optional(
      commentIdSchema,
      "A comment reply: the platform's id of the comment answered. Without `customerId`, ingest finds the customer from that comment, whichever arrives first",
    ),
    automated: z._default(z.boolean(), false),
    staffId: optional(staffIdSchema, 'Absent when the replying staff member is unknown'),
  })
  .check(
    z.refine((e) => e.customerId !== undefined || (e.via === 'comment' && e.commentId !== undefined), {
      message: 'customerId is required unless a comment reply names its commentId',
      path: ['customerId'],
    }),
  );

const orderCreated = z.object({
  id: idSchema,
  kind: z.literal('order.created'),
  at: atSchema,
  orderId: text(1, 128),
  pageId: z.optional(pageIdSchema),
  customerId: z.optional(customerIdSchema),
  phone: z.optional(phoneSchema),
  staffId: z.optional(staffIdSchema),
  adId: z.optional(text(1, 128)),
  referralCode: z.optional(text(1, 128)),
  total: moneySchema,
  cost: optional(moneySchema, 'Cost of goods; gross profit needs it'),
  updatedAt: optional(
    atSchema,
    "The order's version: when the platform last changed it (`updated_at`). An order.created sent again with the same id and a later `updatedAt` is an edit: the order's amount, cost, staff, ad, referral code and conversation become the edited ones, and the figures move once, on the day the order was created. One with an older or equal version (without `updatedAt`: its `at`) changes nothing",
  ),
});

const orderTransition = (kind: 'order.cancelled' | 'order.delivered' | 'order.returned') =>
  z.object({
    id: idSchema,
    kind: z.literal(kind),
    at: atSchema,
    orderId: text(1, 128),
  });

const adSpend = z.object({
  id: idSchema,
  kind: z.literal('ad.spend'),
  at: atSchema.check(z.describe('Any instant of the day the spend belongs to')),
  adId: text(1, 128),
  adName: optional(text(1, 200), 'The name of the ad in the ads account; reports and digests show it instead of the id'),
  campaignId: z.optional(text(1, 128)),
  campaignName: optional(text(1, 200), 'The name of the campaign in the ads account'),
  pageId: z.optional(pageIdSchema),
  amount: moneySchema,
});

const referralJoined = z.object({
  id: idSchema,
  kind: z.literal('referral.joined'),
  at: atSchema,
  pageId: pageIdSchema,
  customerId: customerIdSchema,
  code: text(1, 128),
  referredBy: optional(customerIdSchema, 'The customer whose code brought this one in'),
});

const referralShared = z.object({
  id: idSchema,
  kind: z.literal('referral.shared'),
  at: atSchema,
  pageId: pageIdSchema,
  customerId: customerIdSchema,
  code: z.optional(text(1, 128)),
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

/** One line naming each problem of a failed parse (`path: message; ...`), short enough for a log line. */
export function issuesText(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues
    .map((i) => `${i.path.map(String).join('.') || '(event)'}: ${i.message}`)
    .join('; ')
    .slice(0, 300);
}
export type EventKind = CanonicalEvent['kind'];
export type EventOf<K extends EventKind> = Extract<CanonicalEvent, { kind: K }>;

export const EVENT_KINDS = eventSchema.def.options.map((o) => o.shape.kind.def.values[0]) as EventKind[];

export const MAX_EVENTS_PER_BATCH = 500;

export const eventBatchSchema = z.object({
  events: z.array(eventSchema).check(z.minLength(1), z.maxLength(MAX_EVENTS_PER_BATCH)),
});
export type EventBatch = z.infer<typeof eventBatchSchema>;

/**
 * An event as ingest stores it raw (and rebuild replays it): as received,
 * except that an order.created carries the conversation ingest linked it to
 * (`pageId`, `customerId`) and, when that link came from the customer's
 * phone, `phoneGivenAt`: when (ms) that conversation gave the phone, or
 * `noteLink` when the body named that conversation in its own note
 * attributes. An order whose phone a conversation that gave it earlier
 * claims later is stored again with the new link, and each edit of an order
 * (a later `updatedAt`) is stored as one more copy; replay takes the content
 * of the newest version and the link ingest ended with (see
 * lib/ingest/replay.ts).
 */
export type StoredEvent = CanonicalEvent & { phoneGivenAt?: number; noteLink?: true };

/** A page's reply to a comment that names the comment but not yet its customer. */
export type UnresolvedReply = EventOf<'reply.sent'> & { customerId?: undefined; commentId: string };
/** A reply whose customer is known (given, or found from the comment it answers). */
export type ResolvedReply = EventOf<'reply.sent'> & { customerId: string };
/** An event ready to apply: every reply names its customer. Ingest resolves comment replies first. */
export type ResolvedEvent = Exclude<CanonicalEvent, { kind: 'reply.sent' }> | ResolvedReply;

export function isUnresolvedReply(e: CanonicalEvent): e is UnresolvedReply {
  return e.kind === 'reply.sent' && e.customerId === undefined;
}

/** Kinds that concern one customer's conversation with a page. */
export const CONVERSATION_KINDS = ['message.received', 'comment.received', 'reply.sent', 'referral.joined', 'referral.shared'] as const;
export type ConversationEvent = Extract<ResolvedEvent, { kind: (typeof CONVERSATION_KINDS)[number] }>;
export type OrderEvent = EventOf<'order.created' | 'order.cancelled' | 'order.delivered' | 'order.returned'>;

/** A conversation event that names its customer (a comment reply naming only its comment is not one yet). */
export function isConversationEvent(e: CanonicalEvent): e is ConversationEvent {
  return (CONVERSATION_KINDS as readonly string[]).includes(e.kind) && (e as { customerId?: string }).customerId !== undefined;
}

export function isOrderEvent(e: CanonicalEvent): e is OrderEvent {
  return e.kind.startsWith('order.');
}
