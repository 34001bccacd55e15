import * as z from '#lib/zod.ts';
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
 * - `user_submit_info`: `{app_id, event_name, timestamp, sender: {id: user}, recipient: {id: OA},
 *   info: {name, phone (e.g. "84912345678"), address, city, district, ward}}`.
 * - ZNS `user_received_message`: `{event_name, sender: {id: OA}, recipient: {id: the phone},
 *   message: {msg_id, delivery_time}}`: a receipt, ignored without looking anything up.
 * Group chat (`*_send_group_*`) and anonymous-visitor (`anonymous_send_*`,
 * `oa_send_anonymous_*`) events are not conversations with a known customer:
 * ignored.
 */
/** An optional id; an empty one (`admin_id: ""`) counts as absent. */
const optionalId = z.optional(z.pipe(z.union([z.string(), z.number()]), z.transform((v) => String(v).trim() || undefined)));
/**
 * The envelope: only `event_name` decides whether this is a Zalo webhook at
 * all. Everything else is checked per event (a bad timestamp drops the event
 * with a reason, it does not fail the request).
 */
const payloadSchema = z.looseObject({
  event_name: z.string().check(z.minLength(1), z.maxLength(100)),
  timestamp: z.optional(z.unknown()),
  app_id: optionalId,
  oa_id: optionalId,
  sender: z.optional(z.looseObject({ id: optionalId, admin_id: optionalId })),
  recipient: z.optional(z.looseObject({ id: optionalId })),
  follower: z.optional(z.looseObject({ id: optionalId })),
  message: z.optional(z.looseObject({ msg_id: optionalId, text: z.optional(z.string()) })),
  info: z.optional(z.looseObject({ phone: z.optional(z.pipe(z.union([z.string(), z.number()]), z.transform(String))) })),
});
type ZaloPayload = z.infer<typeof payloadSchema>;

function parse(payload: unknown): ZaloPayload {
  const r = payloadSchema.safeParse(payload);
  if (!r.success) throw new ValidationError('Not a Zalo OA webhook payload', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return r.data;
}

/** Zalo's `timestamp`: epoch milliseconds, as a digit string or an integer, between 2000 and 2100. */
function instantOf(v: unknown): string | undefined {
  const ms = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(ms) && ms >= Date.UTC(2000, 0, 1) && ms < Date.UTC(2100, 0, 1) ? new Date(ms).toISOString() : undefined;
}

const isUserMessage = (e: string) => e.startsWith('user_send_') && !e.startsWith('user_send_group_');
const isOaMessage = (e: string) => e.startsWith('oa_send_') && !e.startsWith('oa_send_group_') && !e.startsWith('oa_send_anonymous_');

/**
 * The OA a payload concerns, for the events we count only: recipient of a
 * user's message or submitted form, sender of the OA's message, `oa_id` of a
 * follow. Other events (receipts, reactions, ZNS delivery receipts whose
 * `recipient.id` is the customer's phone number) name no OA we look up, so no
 * personal data reaches a log line or an "unknown page" metric.
 */
function oaOf(p: ZaloPayload): string | undefined {
  if (isUserMessage(p.event_name) || p.event_name === 'user_submit_info') return p.recipient?.id ?? p.oa_id;
  if (isOaMessage(p.event_name)) return p.sender?.id ?? p.oa_id;
  if (p.event_name === 'follow') return p.oa_id ?? p.recipient?.id;
  return undefined;
}

/**
 * The Official Account id a Zalo webhook concerns (zero or one), so the
 * caller can load its shop before normalising.
 * @throws ValidationError when the payload lacks `event_name`.
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
 * admin, else unknown; `user_submit_info` → no event, the submitted phone
 * goes to `phones`; `follow` → no event, the follower goes to
 * `knownCustomers`. Event ids are `zalo:<msg_id>`. An OA no shop registered →
 * `unknownPages`.
 * A timestamp that is not epoch milliseconds drops the event (`invalid`).
 * @throws ValidationError when the payload lacks `event_name`.
 */
export function normalizeZalo(payload: unknown, shops: Map<string, ShopContext>): AdapterResult {
  const p = parse(payload);
  const result: AdapterResult = { events: [], unknownPages: [], ignored: 0, invalid: [], knownCustomers: [], phones: [] };
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
  // seen/received receipts, reactions and the rest move no metric: ignored before their timestamp is read
  const counted =
    (isUserMessage(p.event_name) && p.sender?.id) ||
    (isOaMessage(p.event_name) && p.recipient?.id) ||
    (p.event_name === 'user_submit_info' && p.sender?.id) ||
    (p.event_name === 'follow' && p.follower?.id);
  if (!counted) {
    result.ignored++; // unfollow, seen/received receipts, reactions, group and anonymous chats
    return result;
  }
  const at = instantOf(p.timestamp);
  if (!at) {
    result.invalid.push({ shopId: shop.shopId, id: String(p.message?.msg_id ?? p.event_name).slice(0, 80), reason: 'timestamp: expected epoch milliseconds between 2000 and 2100' });
    return result;
  }
  // Without a msg_id (not seen in Zalo's examples), the id falls back to what a
  // redelivery repeats: event, OA, user and Zalo's timestamp.
  const eventId = (user: string) => `zalo:${p.message?.msg_id ?? `${p.event_name}:${oa}:${user}:${Date.parse(at)}`}`;
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
  } else if (p.event_name === 'user_submit_info' && p.sender?.id) {
    // a form the OA sent (request_user_info): the customer's own phone, which links later orders like one typed in chat
    result.ignored++;
    const phone = p.info?.phone ? extractVietnamesePhone(p.info.phone) : undefined;
    if (phone) result.phones!.push({ shopId: shop.shopId, pageId: oa, customerId: p.sender.id, phone, at });
  } else if (p.event_name === 'follow' && p.follower?.id) {
    result.ignored++;
    result.knownCustomers!.push({ shopId: shop.shopId, pageId: oa, customerId: p.follower.id, at });
  }
  return result;
}
