import { createHash } from 'node:crypto';
import * as z from '#lib/zod.ts';
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

const id = z.pipe(z.union([z.string().check(z.minLength(1)), z.number()]), z.transform(String));
/** An optional id; an empty one counts as absent. */
const optionalId = z.optional(z.pipe(z.union([z.string(), z.number()]), z.transform((v) => String(v).trim() || undefined)));
const optionalString = z.optional(z.string());
const optionalBoolean = z.optional(z.boolean());
const referralSchema = z.looseObject({
  source: optionalString,
  ad_id: optionalId,
  ref: optionalString,
  ads_context_data: z.optional(z.looseObject({ ad_title: optionalString })),
});
/** Meta sends numbers, and numeric strings in its test and postback payloads. */
const epoch = z.union([z.number(), z.pipe(z.string().check(z.regex(/^\d{1,16}$/, 'expected a number')), z.transform(Number))]);
const messagingSchema = z.looseObject({
  sender: z.looseObject({ id }),
  recipient: z.looseObject({ id }),
  timestamp: epoch,
  message: z.optional(
    z.looseObject({
      mid: z.string().check(z.minLength(1)),
      is_echo: optionalBoolean,
      app_id: optionalId,
      metadata: optionalString,
      text: optionalString,
      referral: z.optional(referralSchema),
      is_deleted: optionalBoolean,
      attachments: z.optional(z.array(z.unknown())),
    }),
  ),
  postback: z.optional(z.looseObject({ mid: z.optional(z.string()), referral: z.optional(referralSchema) })),
  referral: z.optional(referralSchema),
});
const changeSchema = z.looseObject({ field: z.string(), value: z.record(z.string(), z.unknown()) });
const optionalList = z.optional(z.array(z.unknown()));
const payloadSchema = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id,
      time: z.optional(z.unknown()),
      messaging: optionalList,
      standby: optionalList,
      changes: optionalList,
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

/** Instants we take from a platform: from 2000 to 2100; anything else is a broken timestamp. */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const LATEST_MS = Date.UTC(2100, 0, 1);
const isoOfMs = (ms: number) => (Number.isFinite(ms) && ms >= EARLIEST_MS && ms < LATEST_MS ? new Date(ms).toISOString() : undefined);

/** Meta mixes epoch seconds (feed `created_time`, Instagram `entry.time`) and milliseconds (messaging). */
function isoOfEpoch(v: number): string | undefined {
  return isoOfMs(v < 1e12 ? v * 1000 : v);
}
/** A feed time: epoch seconds (number or numeric string), or sometimes an ISO string with offset. */
function isoOfFeedTime(v: unknown): string | undefined {
  if (typeof v === 'number') return isoOfEpoch(v);
  if (typeof v === 'string' && /^\d{1,16}$/.test(v)) return isoOfEpoch(Number(v));
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v))) return isoOfMs(Date.parse(v));
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
/** `adTitle` of the ad referral that names `adId` (`ads_context_data.ad_title`, trimmed to the schema's 200), if any. */
function adTitleOf(adId: string | undefined, ...refs: Array<Referral | undefined>): { adTitle?: string } {
  const title = refs.find((r) => r && adOf(r) === adId)?.ads_context_data?.ad_title?.trim().slice(0, 200);
  return adId && title ? { adTitle: title } : {};
}

/** The platform id of an item that failed validation, for the log line (shortened). */
function itemIdOf(raw: unknown): string {
  const r = raw as { message?: { mid?: unknown }; value?: { comment_id?: unknown; id?: unknown }; timestamp?: unknown } | null;
  const v = r?.message?.mid ?? r?.value?.comment_id ?? r?.value?.id;
  return typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 80) : '(no id)';
}
const reasonOf = (err: z.core.$ZodError) => err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 200);

/**
 * What a messaging item is, read before it is validated: only messages,
 * referrals and postbacks can carry a metric. Delivery and read receipts,
 * reactions, edits, opt-ins and the rest are ignored quietly whatever their
 * timestamp (a receipt with `timestamp: 0`, or none, is not invalid).
 */
function carriesMetric(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null) return true; // validated, and reported invalid
  const r = raw as Record<string, unknown>;
  return r.message !== undefined || r.referral !== undefined || r.postback !== undefined;
}

/** A customer id in an event id, hashed: event ids are shown to managers (rejected events) and logged. */
const hashed = (customerId: string) => createHash('sha256').update(customerId).digest('base64url').slice(0, 16);

const asId = (v: unknown) => (typeof v === 'string' && v !== '') || typeof v === 'number' ? String(v) : undefined;

/**
 * Normalises a Meta webhook batch into canonical events routed to shops.
 *
 * - `message` (not an echo) → `message.received` (customer = `sender.id`), with
 *   `adId` from a same-item ADS referral and `phone` when the text holds a
 *   Vietnamese number. The text itself never leaves this function.
 * - `message.is_echo` → `reply.sent` via `message` (customer = `recipient.id`),
 *   attributed by `metadata` (`staff:<id>` / `auto:<any>`) or `app_id`.
 * - A referral from an ad without text or attachment (`messaging_referrals`,
 *   a Get Started `postback.referral`, a bare `message.referral`) →
 *   `message.received` with `adId` and `attributionOnly: true`: it credits
 *   the conversation to the ad and is not a message (SPEC §1.1).
 * - Page feed comments → `comment.received`; Instagram `comments` and
 *   `live_comments` likewise. The page's own replies to a comment go to
 *   `reply.sent` naming the comment (`commentId`); ingest finds its customer.
 * - `standby[]` (another app owns the thread under the handover protocol) is
 *   read like `messaging[]`, so chats handled by a chatbot app still count.
 * - Entries of pages not in `shops` → `unknownPages`, no events. Everything
 *   else understood but carrying no metric (deliveries, reads, reactions,
 *   edits, plain postbacks, other objects) is counted in `ignored`, before
 *   any validation: a receipt's timestamp (0, a string, none) is never read.
 *
 * @throws ValidationError when the payload is not an object with `entry[]`.
 */
export function normalizeMeta(payload: unknown, shops: Map<string, ShopContext>): AdapterResult {
  const body = parsePayload(payload);
  const result: AdapterResult = { events: [], unknownPages: [], ignored: 0, invalid: [] };
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
      if (!carriesMetric(raw)) {
        result.ignored++;
        continue;
      }
      const parsed = messagingSchema.safeParse(raw);
      if (!parsed.success) {
        result.invalid.push({ shopId: shop.shopId, id: itemIdOf(raw), reason: reasonOf(parsed.error) });
        continue;
      }
      const m = parsed.data;
      const message = m.message && !m.message.is_deleted ? m.message : undefined;
      const said = Boolean(message?.text?.trim()) || (message?.attachments?.length ?? 0) > 0;
      // A referral or a postback (Get Started) without text or attachment only credits the
      // conversation to the ad (SPEC §1.1): not a message, no wait, nobody reached by it.
      // Referrals that are not from an ad (m.me links, QR codes) and plain postbacks are taps:
      // ignored, the customer counts once he writes.
      const adId = adOf(message?.referral) ?? adOf(m.referral) ?? adOf(m.postback?.referral);
      const attributionOnly = !message?.is_echo && !said && adId !== undefined;
      if (!message && !attributionOnly) {
        result.ignored++;
        continue;
      }
      if (attributionOnly && m.sender.id === entry.id) {
        result.ignored++;
        continue;
      }
      const at = isoOfEpoch(m.timestamp);
      if (!at) {
        result.invalid.push({ shopId: shop.shopId, id: itemIdOf(raw), reason: 'timestamp: out of range' });
        continue;
      }
      if (attributionOnly) {
        // The id repeats on redelivery: Meta's mid when the item has one, else page, customer (hashed) and Meta's timestamp.
        const mid = message?.mid ?? m.postback?.mid;
        const id = mid ? `meta:${mid}` : `meta:ref:${entry.id}:${hashed(m.sender.id)}:${m.timestamp}`;
        push({ id, kind: 'message.received', at, pageId: entry.id, customerId: m.sender.id, adId: adId!, ...adTitleOf(adId, message?.referral, m.referral, m.postback?.referral), attributionOnly: true });
        continue;
      }
      if (message!.is_echo) {
        push({
          id: `meta:${message!.mid}`,
          kind: 'reply.sent',
          at,
          pageId: entry.id,
          customerId: m.recipient.id,
          via: 'message',
          ...attribution(message!.metadata, message!.app_id, shop),
        });
        continue;
      }
      const phone = message!.text ? extractVietnamesePhone(message!.text) : undefined;
      push({
        id: `meta:${message!.mid}`,
        kind: 'message.received',
        at,
        pageId: entry.id,
        customerId: m.sender.id,
        ...(adId ? { adId, ...adTitleOf(adId, message!.referral, m.referral) } : {}),
        ...(phone ? { phone } : {}),
      });
    }

    for (const raw of changes) {
      const parsed = changeSchema.safeParse(raw);
      if (!parsed.success) {
        result.invalid.push({ shopId: shop.shopId, id: itemIdOf(raw), reason: reasonOf(parsed.error) });
        continue;
      }
      const { field, value } = parsed.data;
      const fromId = asId((value.from as { id?: unknown } | undefined)?.id);
      const isFeedComment = body.object === 'page' && field === 'feed' && value.item === 'comment' && value.verb === 'add';
      const isIgComment = body.object === 'instagram' && (field === 'comments' || field === 'live_comments');
      const commentId = asId(isFeedComment ? value.comment_id : isIgComment ? value.id : undefined);
      if (!commentId || !fromId) {
        result.ignored++; // other feed items (posts, reactions), edits and removals, or a comment without author
        continue;
      }
      const at = isoOfFeedTime(value.created_time) ?? isoOfFeedTime(value.timestamp) ?? isoOfFeedTime(entry.time);
      if (!at) {
        result.invalid.push({ shopId: shop.shopId, id: commentId, reason: 'created_time: missing or out of range' });
        continue;
      }
      const eventId = isFeedComment ? `meta:${commentId}` : `meta:ig:${commentId}`;
      const postId = asId(isFeedComment ? value.post_id : (value.media as { id?: unknown } | undefined)?.id);
      const parentId = asId(value.parent_id);
      if (fromId === entry.id) {
        // The page's own comment. Meta names the comment it answers (`parent_id`)
        // but not that comment's author: the reply names the comment, and ingest
        // joins it with the comment's author in state, whichever arrives first
        // (in the same delivery, as livestream bots do, or days apart). A page
        // comment on its own post (parent = the post, or no parent) answers
        // nobody: ignored.
        if (parentId && parentId !== postId) push({ id: eventId, kind: 'reply.sent', at, pageId: entry.id, via: 'comment', commentId: parentId, automated: false });
        else result.ignored++;
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
