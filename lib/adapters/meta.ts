import { z } from 'zod';
import { ValidationError } from '#lib/errors.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import { extractVietnamesePhone } from '#lib/adapters/phone.ts';
import type { AdapterResult, ShopContext } from '#lib/adapters/types.ts';

/**
 * Meta webhooks (Messenger, Instagram messaging, Page feed, Instagram
 * comments) → canonical events. Pure: the caller verified the signature and
 * looked up the shops of the pages.
 */

const id = z.union([z.string(), z.number()]).transform(String);
const referralSchema = z.object({ source: z.string().optional(), ad_id: id.optional(), ref: z.string().optional() }).passthrough();
const messagingSchema = z
  .object({
    sender: z.object({ id }).passthrough(),
    recipient: z.object({ id }).passthrough(),
    timestamp: z.number(),
    message: z
      .object({
        mid: z.string(),
        is_echo: z.boolean().optional(),
        app_id: id.optional(),
        metadata: z.string().optional(),
        text: z.string().optional(),
        referral: referralSchema.optional(),
        is_deleted: z.boolean().optional(),
      })
      .passthrough()
      .optional(),
    postback: z.object({ referral: referralSchema.optional(), mid: z.string().optional() }).passthrough().optional(),
    referral: referralSchema.optional(),
  })
  .passthrough();
const changeSchema = z.object({ field: z.string(), value: z.record(z.string(), z.unknown()) }).passthrough();
const payloadSchema = z
  .object({
    object: z.string(),
    entry: z.array(
      z
        .object({
          id,
          time: z.number().optional(),
          messaging: z.array(z.unknown()).optional(),
          changes: z.array(z.unknown()).optional(),
        })
        .passthrough(),
    ),
  })
  .passthrough();

function parsePayload(payload: unknown) {
  const r = payloadSchema.safeParse(payload);
  if (!r.success) throw new ValidationError('Not a Meta webhook payload', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return r.data;
}

/** Page (or Instagram account) ids a batch concerns, so the caller can load their shops. */
export function metaPageIds(payload: unknown): string[] {
  return [...new Set(parsePayload(payload).entry.map((e) => e.id))];
}

const isoOf = (ms: number) => new Date(ms).toISOString();
/** Feed `created_time` is epoch seconds (sometimes an ISO string). */
function feedTime(v: unknown, fallbackMs: number): string {
  if (typeof v === 'number') return isoOf(v < 1e12 ? v * 1000 : v);
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString();
  return isoOf(fallbackMs);
}

/** Attribution of a page's echo (SPEC §1.1). */
function attribution(metadata: string | undefined, appId: string | undefined, shop: ShopContext): { automated: boolean; staffId?: string } {
  if (metadata?.startsWith('staff:') && metadata.length > 6) return { automated: false, staffId: metadata.slice(6) };
  if (metadata?.startsWith('auto:')) return { automated: true };
  if (appId && shop.automationAppIds.includes(appId)) return { automated: true };
  return { automated: false };
}

const adOf = (r: z.infer<typeof referralSchema> | undefined) => (r && r.source === 'ADS' && r.ad_id ? r.ad_id : undefined);

export function normalizeMeta(payload: unknown, shops: Map<string, ShopContext>): AdapterResult {
  const body = parsePayload(payload);
  const result: AdapterResult = { events: [], unknownPages: [], ignored: 0, commentReplies: [] };
  const unknown = new Set<string>();
  for (const entry of body.entry) {
    const shop = shops.get(entry.id);
    if (!shop) {
      unknown.add(entry.id);
      continue;
    }
    const push = (event: CanonicalEvent) => result.events.push({ shopId: shop.shopId, event });
    for (const raw of entry.messaging ?? []) {
      const parsed = messagingSchema.safeParse(raw);
      if (!parsed.success) {
        result.ignored++;
        continue;
      }
      const m = parsed.data;
      const at = isoOf(m.timestamp);
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
      // A customer opening the thread from an ad (messaging_referrals, or Get Started
      // with a referral) is the start of a conversation from that ad: it counts as
      // the customer reaching out, so it becomes a message.received carrying the ad.
      const referral = m.referral ?? m.postback?.referral;
      if (referral && m.sender.id !== entry.id) {
        const adId = adOf(referral);
        push({
          id: `meta:ref:${entry.id}:${m.sender.id}:${m.timestamp}`,
          kind: 'message.received',
          at,
          pageId: entry.id,
          customerId: m.sender.id,
          ...(adId ? { adId } : {}),
        });
        continue;
      }
      result.ignored++; // deliveries, reads, reactions, plain postbacks
    }
    for (const raw of entry.changes ?? []) {
      const parsed = changeSchema.safeParse(raw);
      if (!parsed.success) {
        result.ignored++;
        continue;
      }
      const { field, value } = parsed.data;
      const from = (value.from as { id?: unknown } | undefined)?.id;
      const fromId = from === undefined ? undefined : String(from);
      const fallback = entry.time ?? Date.now();
      if (field === 'feed' && value.item === 'comment' && value.verb === 'add' && value.comment_id && fromId) {
        const commentId = String(value.comment_id);
        const at = feedTime(value.created_time, fallback);
        if (fromId === entry.id) {
          const parent = value.parent_id ? String(value.parent_id) : undefined;
          if (parent && parent !== value.post_id) {
            result.commentReplies!.push({ shopId: shop.shopId, parentCommentId: parent, event: { id: `meta:${commentId}`, kind: 'reply.sent', at, pageId: entry.id, via: 'comment', automated: false } });
          } else {
            result.ignored++; // the page commenting on its own post
          }
          continue;
        }
        const phone = typeof value.message === 'string' ? extractVietnamesePhone(value.message) : undefined;
        push({
          id: `meta:${commentId}`,
          kind: 'comment.received',
          at,
          pageId: entry.id,
          customerId: fromId,
          commentId,
          ...(value.post_id ? { postId: String(value.post_id) } : {}),
          ...(phone ? { phone } : {}),
        });
        continue;
      }
      if (field === 'comments' && body.object === 'instagram' && value.id && fromId) {
        // Instagram comment webhooks: value {id, text, from {id, username}, media {id}, parent_id?}
        const commentId = String(value.id);
        const at = feedTime(value.timestamp ?? value.created_time, fallback);
        if (fromId === entry.id) {
          if (value.parent_id) {
            result.commentReplies!.push({ shopId: shop.shopId, parentCommentId: String(value.parent_id), event: { id: `meta:ig:${commentId}`, kind: 'reply.sent', at, pageId: entry.id, via: 'comment', automated: false } });
          } else result.ignored++;
          continue;
        }
        const media = (value.media as { id?: unknown } | undefined)?.id;
        push({ id: `meta:ig:${commentId}`, kind: 'comment.received', at, pageId: entry.id, customerId: fromId, commentId, ...(media ? { postId: String(media) } : {}) });
        continue;
      }
      result.ignored++;
    }
  }
  result.unknownPages = [...unknown];
  return result;
}
