import { z } from 'zod';
import { ValidationError } from '#lib/errors.ts';
import { extractVietnamesePhone } from '#lib/adapters/phone.ts';
import type { AdapterResult, ShopContext } from '#lib/adapters/types.ts';

/**
 * Zalo Official Account webhooks → canonical events. `user_send_*` is a
 * customer message (sender = user, recipient = OA); `oa_send_*` a reply
 * (sender = OA, with `admin_id` naming the OA admin who sent it when Zalo
 * provides it; recipient = user); `follow` makes a customer known.
 */
const id = z.union([z.string(), z.number()]).transform(String);
const payloadSchema = z
  .object({
    event_name: z.string(),
    timestamp: id,
    app_id: id.optional(),
    oa_id: id.optional(),
    sender: z.object({ id: id.optional(), admin_id: id.optional() }).passthrough().optional(),
    recipient: z.object({ id: id.optional() }).passthrough().optional(),
    follower: z.object({ id }).passthrough().optional(),
    message: z.object({ msg_id: id.optional(), text: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();

function parse(payload: unknown) {
  const r = payloadSchema.safeParse(payload);
  if (!r.success) throw new ValidationError('Not a Zalo OA webhook payload', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return r.data;
}

/** The OA a payload concerns. */
function oaOf(p: z.infer<typeof payloadSchema>): string | undefined {
  if (p.event_name.startsWith('oa_send_')) return p.sender?.id ?? p.oa_id;
  if (p.event_name.startsWith('user_send_')) return p.recipient?.id ?? p.oa_id;
  return p.oa_id ?? p.recipient?.id;
}

export function zaloPageIds(payload: unknown): string[] {
  const oa = oaOf(parse(payload));
  return oa ? [oa] : [];
}

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
  const ms = Number(p.timestamp);
  const at = new Date(Number.isFinite(ms) ? ms : Date.now()).toISOString();
  if (p.event_name.startsWith('user_send_') && p.sender?.id) {
    const phone = p.message?.text ? extractVietnamesePhone(p.message.text) : undefined;
    result.events.push({
      shopId: shop.shopId,
      event: {
        id: `zalo:${p.message?.msg_id ?? `${p.event_name}:${oa}:${p.sender.id}:${p.timestamp}`}`,
        kind: 'message.received',
        at,
        pageId: oa,
        customerId: p.sender.id,
        ...(phone ? { phone } : {}),
      },
    });
  } else if (p.event_name.startsWith('oa_send_') && p.recipient?.id) {
    const staffId = p.sender?.admin_id ? shop.staffAccounts?.get(p.sender.admin_id) : undefined;
    result.events.push({
      shopId: shop.shopId,
      event: {
        id: `zalo:${p.message?.msg_id ?? `${p.event_name}:${oa}:${p.recipient.id}:${p.timestamp}`}`,
        kind: 'reply.sent',
        at,
        pageId: oa,
        customerId: p.recipient.id,
        via: 'message',
        automated: false,
        ...(staffId ? { staffId } : {}),
      },
    });
  } else if (p.event_name === 'follow' && (p.follower?.id ?? p.sender?.id)) {
    result.ignored++;
    result.knownCustomers!.push({ shopId: shop.shopId, pageId: oa, customerId: (p.follower?.id ?? p.sender?.id)!, at });
  } else {
    result.ignored++;
  }
  return result;
}
