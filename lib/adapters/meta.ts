import { z } from 'zod';
import { ValidationError } from '#lib/errors.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import { extractVietnamesePhone } from '#lib/adapters/phone.ts';
import type { AdapterResult, ShopContext } from '#lib/adapters/types.ts';

/**
 * Meta webhooks (Messenger, Instagram messaging, Page feed, Instagram
 * comments) → canonical events (SPEC §1.1). Pure: the caller verified the
 * signature and looked up the shops of the pages.
 *
 * Shapes followed (developers.facebook.com, Messenger Platform webhook events,
 * Page `feed` field, Instagram `comments`/`live_comments` fields):
 * - `{object: 'page'|'instagram', entry: [{id, time, messaging?: [...], standby?: [...], changes?: [...]}]}`
 * - messaging item: `{sender: {id}, recipient: {id}, timestamp (epoch ms), message?: {mid, text?,
 *   is_echo?, app_id?, metadata?, referral?}, postback?: {mid?, payload?, referral?}, referral?}`
 * - Page feed change: `{field: 'feed', value: {item: 'comment', verb: 'add', from: {id, name},
 *   post_id, comment_id, parent_id, created_time (epoch s), message}}`
 * - Instagram comment change: `{field: 'comments'|'live_comments', value: {id, from: {id, username},
 *   text, media: {id, media_product_type}, parent_id?}}` (no time of its own: `entry.time` is used).
 */

const id = z.union([z.string().min(1), z.number()]).transform(String);
/** An optional id; an empty one counts as absent. */
const optionalId = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim() || undefined)
  .optional();
const referralSchema = z.looseObject({ source: z.string().optional(), ad_id: optionalId, ref: z.string().optional() });
const messagingSchema = z.looseObject({
  sender: z.looseObject({ id }),
  recipient: z.looseObject({ id }),
  timestamp: z.number(),
  message: z
    .looseObject({
      mid: z.string().min(1),
      is_echo: z.boolean().optional(),
      app_id: optionalId,
      metadata: z.string().optional(),
      text: z.string().optional(),
      referral: referralSchema.optional(),
      is_deleted: z.boolean().optional(),
    })
    .optional(),
  postback: z.looseObject({ referral: referralSchema.optional() }).optional(),
  referral: referralSchema.optional(),
});
const changeSchema = z.looseObject({ field: z.string(), value: z.record(z.string(), z.unknown()) });
const payloadSchema = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id,
      time: z.number().optional(),
      messaging: z.array(z.unknown()).optional(),
      standby: z.array(z.unknown()).optional(),
      changes: z.array(z.unknown()).optional(),
    }),
  ),
});
type Referral = z.infer<typeof referralSchema>;

function parsePayload(payload: unknown) {
  const r = payloadSchema.safeParse(payload);
  if (!r.success) throw new ValidationError('Not a Meta webhook payload', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return r.data;
}

/**
 * Page (or Instagram account) ids a Meta batch concerns (`entry[].id`,
 * de-duplicated), so the caller can load their shops before normalising.
 * @throws ValidationError when the payload is not an object with `entry[]`.
 */
export function metaPageIds(payload: unknown): string[] {
  return [...new Set(parsePayload(payload).entry.map((e) => e.id))];
}

/** Meta mixes epoch seconds (feed `created_time`, Instagram `entry.time`) and milliseconds (messaging). */
function isoOfEpoch(v: number): string {
  return new Date(v < 1e12 ? v * 1000 : v).toISOString();
}
/** A feed time: epoch seconds, or sometimes an ISO string with offset. */
function isoOfFeedTime(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return isoOfEpoch(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return isoOfEpoch(Number(v));
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString();
  return undefined;
}

/** Attribution of a page's reply (SPEC §1.1): metadata first, then the sending app. */
function attribution(metadata: string | undefined, appId: string | undefined, shop: ShopContext): { automated: boolean; staffId?: string } {
  if (metadata?.startsWith('staff:') && metadata.length > 'staff:'.length) return { automated: false, staffId: metadata.slice('staff:'.length) };
  if (metadata?.startsWith('auto:')) return { automated: true };
  if (appId && shop.automationAppIds.includes(appId)) return { automated: true };
  return { automated: false };
}

/** The ad a referral names, only for `source: ADS` with an `ad_id`. */
const adOf = (r: Referral | undefined) => (r?.source === 'ADS' && r.ad_id ? r.ad_id : undefined);

const asId = (v: unknown) => (typeof v === 'string' && v !== '') || typeof v === 'number' ? String(v) : undefined;

/**
 * Normalises a Meta webhook batch into canonical events routed to shops.
 *
 * - `message` (not an echo) → `message.received` (customer = `sender.id`), with
 *   `adId` from a same-item ADS referral and `phone` when the text holds a
 *   Vietnamese number. The text itself never leaves this function.
 * - `message.is_echo` → `reply.sent` via `message` (customer = `recipient.id`),
 *   attributed by `metadata` (`staff:<id>` / `auto:<any>`) or `app_id`.
 * - A referral without a message (`messaging_referrals`, or a Get Started
 *   `postback.referral`) from an ad → `message.received` with `adId`.
 * - Page feed comments → `comment.received`; Instagram `comments` and
 *   `live_comments` likewise. The page's own replies to a comment go to
 *   `commentReplies` (the caller finds the customer from the parent comment).
 * - `standby[]` (another app owns the thread under the handover protocol) is
 *   read like `messaging[]`, so chats handled by a chatbot app still count.
 * - Entries of pages not in `shops` → `unknownPages`, no events. Everything
 *   else understood but carrying no metric (deliveries, reads, reactions,
 *   edits, plain postbacks, other objects) is counted in `ignored`.
 *
 * @throws ValidationError when the payload is not an object with `entry[]`.
 */
export function normalizeMeta(payload: unknown, shops: Map<string, ShopContext>): AdapterResult {
  const body = parsePayload(payload);
  const result: AdapterResult = { events: [], unknownPages: [], ignored: 0, commentReplies: [] };
  const unknown = new Set<string>();
  const knownObject = body.object === 'page' || body.object === 'instagram';
  for (const entry of body.entry) {
    const items = [...(entry.messaging ?? []), ...(entry.standby ?? [])];
    const changes = entry.changes ?? [];
    if (!knownObject) {
      result.ignored += items.length + changes.length;
      continue;
    }
    const shop = shops.get(entry.id);
    if (!shop) {
      unknown.add(entry.id);
      continue;
    }
    const push = (event: CanonicalEvent) => result.events.push({ shopId: shop.shopId, event });

    for (const raw of items) {
      const parsed = messagingSchema.safeParse(raw);
      if (!parsed.success) {
        result.ignored++;
        continue;
      }
      const m = parsed.data;
      const at = isoOfEpoch(m.timestamp);
      if (m.message && !m.message.is_deleted) {
        if (m.message.is_echo) {
          push({
            id: `meta:${m.message.mid}`,
            kind: 'reply.sent',
            at,
            pageId: entry.id,
            customerId: m.recipient.id,
            via: 'message',
            ...attribution(m.message.metadata, m.message.app_id, shop),
          });
        } else {
          const adId = adOf(m.message.referral) ?? adOf(m.referral);
          const phone = m.message.text ? extractVietnamesePhone(m.message.text) : undefined;
          push({
            id: `meta:${m.message.mid}`,
            kind: 'message.received',
            at,
            pageId: entry.id,
            customerId: m.sender.id,
            ...(adId ? { adId } : {}),
            ...(phone ? { phone } : {}),
          });
        }
        continue;
      }
      // Decision (SPEC is silent): a customer who opens the thread from an ad —
      // `messaging_referrals` on an existing thread, or Get Started carrying the
      // ad's referral on a new one — has reached out from that ad even before
      // typing, and the ad's `conversationsStarted` must see it. It becomes a
      // `message.received` with the ad. The id is built from page, customer and
      // Meta's timestamp, which a redelivery repeats. Referrals that are not from
      // an ad (m.me links, QR codes) and plain postbacks are button taps, not
      // messages: ignored, the customer counts once he writes.
      const adId = adOf(m.referral ?? m.postback?.referral);
      if (adId && m.sender.id !== entry.id) {
        push({ id: `meta:ref:${entry.id}:${m.sender.id}:${m.timestamp}`, kind: 'message.received', at, pageId: entry.id, customerId: m.sender.id, adId });
        continue;
      }
      result.ignored++;
    }

    for (const raw of changes) {
      const parsed = changeSchema.safeParse(raw);
      if (!parsed.success) {
        result.ignored++;
        continue;
      }
      const { field, value } = parsed.data;
      const fromId = asId((value.from as { id?: unknown } | undefined)?.id);
      const isFeedComment = body.object === 'page' && field === 'feed' && value.item === 'comment' && value.verb === 'add';
      const isIgComment = body.object === 'instagram' && (field === 'comments' || field === 'live_comments');
      const commentId = asId(isFeedComment ? value.comment_id : isIgComment ? value.id : undefined);
      const at = isoOfFeedTime(value.created_time) ?? isoOfFeedTime(value.timestamp) ?? (entry.time ? isoOfEpoch(entry.time) : undefined);
      if (!commentId || !fromId || !at) {
        result.ignored++; // other feed items (posts, reactions), edits and removals, or a comment without author or time
        continue;
      }
      const eventId = isFeedComment ? `meta:${commentId}` : `meta:ig:${commentId}`;
      const postId = asId(isFeedComment ? value.post_id : (value.media as { id?: unknown } | undefined)?.id);
      const parentId = asId(value.parent_id);
      if (fromId === entry.id) {
        // The page's own comment. Meta names the comment it answers (`parent_id`)
        // but not that comment's author, so the reply cannot carry its customer
        // here: it goes to `commentReplies` and the caller looks the author up in
        // the comment links ingest keeps. A page comment on its own post (parent
        // = the post, or no parent) answers nobody: ignored.
        if (parentId && parentId !== postId) {
          result.commentReplies!.push({
            shopId: shop.shopId,
            parentCommentId: parentId,
            event: { id: eventId, kind: 'reply.sent', at, pageId: entry.id, via: 'comment', automated: false },
          });
        } else result.ignored++;
        continue;
      }
      const text = typeof value.message === 'string' ? value.message : typeof value.text === 'string' ? value.text : undefined;
      const phone = text ? extractVietnamesePhone(text) : undefined;
      push({
        id: eventId,
        kind: 'comment.received',
        at,
        pageId: entry.id,
        customerId: fromId,
        commentId,
        ...(postId ? { postId } : {}),
        ...(phone ? { phone } : {}),
      });
    }
  }
  result.unknownPages = [...unknown];
  return result;
}
