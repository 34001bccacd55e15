import { z } from 'zod';
import { ValidationError } from '#lib/errors.ts';
import { extractVietnamesePhone } from '#lib/adapters/phone.ts';
import type { AdapterResult, ShopContext } from '#lib/adapters/types.ts';

/**
 * Zalo Official Account webhooks → canonical events (SPEC §1.2). One event per
 * request, shaped (developers.zalo.me, OA webhook):
 * - `user_send_*`: `{app_id, user_id_by_app, event_name, timestamp (epoch ms string),
 *   sender: {id: user}, recipient: {id: OA}, message: {msg_id, text?, attachments?}}`
 * - `oa_send_*`: the same with sender = the OA, recipient = the user, plus `oa_id`;
 *   `sender.admin_id`, when present, names the OA admin who typed the reply.
 * - `follow`: `{app_id, oa_id, event_name, timestamp, follower: {id}, source?}`.
 * Group chat (`*_send_group_*`) and anonymous-visitor (`anonymous_send_*`,
 * `oa_send_anonymous_*`) events are not conversations with a known customer:
 * ignored.
 */
/** An optional id; an empty one (`admin_id: ""`) counts as absent. */
const optionalId = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim() || undefined)
  .optional();
const payloadSchema = z.looseObject({
  event_name: z.string().min(1),
  timestamp: z.union([z.string().regex(/^\d+$/, 'expected epoch milliseconds'), z.number().int().nonnegative()]).transform(Number),
  app_id: optionalId,
  oa_id: optionalId,
  sender: z.looseObject({ id: optionalId, admin_id: optionalId }).optional(),
  recipient: z.looseObject({ id: optionalId }).optional(),
  follower: z.looseObject({ id: optionalId }).optional(),
  message: z.looseObject({ msg_id: optionalId, text: z.string().optional() }).optional(),
});
type ZaloPayload = z.infer<typeof payloadSchema>;

function parse(payload: unknown): ZaloPayload {
  const r = payloadSchema.safeParse(payload);
  if (!r.success) throw new ValidationError('Not a Zalo OA webhook payload', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return r.data;
}

const isUserMessage = (e: string) => e.startsWith('user_send_') && !e.startsWith('user_send_group_');
const isOaMessage = (e: string) => e.startsWith('oa_send_') && !e.startsWith('oa_send_group_') && !e.startsWith('oa_send_anonymous_');

/** The OA a payload concerns: recipient of a user's message, sender of the OA's, else `oa_id`. */
function oaOf(p: ZaloPayload): string | undefined {
  if (p.event_name.startsWith('oa_send_')) return p.sender?.id ?? p.oa_id;
  if (p.event_name.startsWith('user_send_')) return p.recipient?.id ?? p.oa_id;
  return p.oa_id ?? p.recipient?.id;
}

/**
 * The Official Account id a Zalo webhook concerns (zero or one), so the
 * caller can load its shop before normalising.
 * @throws ValidationError when the payload lacks `event_name` or a numeric `timestamp`.
 */
export function zaloPageIds(payload: unknown): string[] {
  const oa = oaOf(parse(payload));
  return oa ? [oa] : [];
}

/**
 * Normalises one Zalo OA webhook: `user_send_*` → `message.received` (with
 * `phone` when the text holds a Vietnamese number, never the text);
 * `oa_send_*` → `reply.sent` via `message`, staff from the shop's Zalo account
 * mapping (`staffAccounts`: account id → staffId) when the payload names the
 * admin, else unknown; `follow` → no event, the follower goes to
 * `knownCustomers`. Event ids are `zalo:<msg_id>`. An OA no shop registered →
 * `unknownPages`.
 * @throws ValidationError when the payload lacks `event_name` or a numeric `timestamp`.
 */
export function normalizeZalo(payload: unknown, shops: Map<string, ShopContext>): AdapterResult {
  const p = parse(payload);
  const result: AdapterResult = { events: [], unknownPages: [], ignored: 0, knownCustomers: [] };
  const oa = oaOf(p);
  if (!oa) {
    result.ignored++;
    return result;
  }
  const shop = shops.get(oa);
  if (!shop) {
    result.unknownPages.push(oa);
    return result;
  }
  const at = new Date(p.timestamp).toISOString();
  // Without a msg_id (not seen in Zalo's examples), the id falls back to what a
  // redelivery repeats: event, OA, user and Zalo's timestamp.
  const eventId = (user: string) => `zalo:${p.message?.msg_id ?? `${p.event_name}:${oa}:${user}:${p.timestamp}`}`;
  if (isUserMessage(p.event_name) && p.sender?.id) {
    const phone = p.message?.text ? extractVietnamesePhone(p.message.text) : undefined;
    result.events.push({
      shopId: shop.shopId,
      event: { id: eventId(p.sender.id), kind: 'message.received', at, pageId: oa, customerId: p.sender.id, ...(phone ? { phone } : {}) },
    });
  } else if (isOaMessage(p.event_name) && p.recipient?.id) {
    const staffId = p.sender?.admin_id ? shop.staffAccounts?.get(p.sender.admin_id) : undefined;
    result.events.push({
      shopId: shop.shopId,
      event: {
        id: eventId(p.recipient.id),
        kind: 'reply.sent',
        at,
        pageId: oa,
        customerId: p.recipient.id,
        via: 'message',
        automated: false,
        ...(staffId ? { staffId } : {}),
      },
    });
  } else if (p.event_name === 'follow' && p.follower?.id) {
    result.ignored++;
    result.knownCustomers!.push({ shopId: shop.shopId, pageId: oa, customerId: p.follower.id, at });
  } else {
    result.ignored++; // unfollow, seen/received receipts, reactions, group and anonymous chats
  }
  return result;
}
