import { ForbiddenError, NotFoundError, PayloadTooLargeError, UnauthorizedError, ValidationError } from '#lib/errors.ts';
import { config, requireSetting } from '#lib/config.ts';
import { log, metric } from '#lib/log.ts';
import { safeEqual } from '#lib/http/http.ts';
import { verifyMetaSignature, verifyOrderSignature, verifyZaloSignature } from '#lib/adapters/signature.ts';
import { metaPageIds, normalizeMeta } from '#lib/adapters/meta.ts';
import { normalizeZalo, zaloPageIds } from '#lib/adapters/zalo.ts';
import { normalizeOrder, orderHeaders, ORDER_PLATFORMS } from '#lib/adapters/orders.ts';
import type { AdapterResult, ShopContext } from '#lib/adapters/types.ts';
import { enqueueEvents, type RoutedEvent } from '#lib/ingest/enqueue.ts';
import { eventSchema, issuesText } from '#lib/events/schema.ts';
import { getShop, shopsOfPages } from '#lib/store/shops.ts';
import { amountIssues } from '#lib/money.ts';

/**
 * The webhook use cases: verify the signature over the raw bytes (nothing is
 * parsed or stored before that), normalise to canonical events, route each to
 * the shop that registered its page, and queue them. Events for pages no shop
 * registered are acknowledged and dropped with a log line and a metric.
 */

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ValidationError('Request body is not valid JSON', [{ path: '', message: (err as Error).message }]);
  }
}

function checkSize(raw: Buffer): void {
  if (raw.length > config().MAX_BODY_BYTES) throw new PayloadTooLargeError(config().MAX_BODY_BYTES);
}

async function contexts(pageIds: string[]): Promise<Map<string, ShopContext & { staffAccounts: Map<string, string> }>> {
  const owners = await shopsOfPages(pageIds);
  const out = new Map<string, ShopContext & { staffAccounts: Map<string, string> }>();
  for (const [pageId, shopId] of owners) {
    if (!shopId) continue;
    const shop = await getShop(shopId);
    if (!shop) continue;
    const staffAccounts = new Map<string, string>();
    // only Zalo replies name the sending account; ids of other platforms could collide
    for (const s of shop.staff) for (const a of s.accounts ?? []) if (a.channel === 'zalo') staffAccounts.set(a.id, s.staffId);
    out.set(pageId, { shopId, automationAppIds: shop.automationAppIds, staffAccounts });
  }
  return out;
}

/**
 * Validates every event an adapter made against the canonical model (an
 * invalid one is dropped alone, logged and counted with its id and reason),
 * then queues the rest. No lookup happens here: joins (a comment reply and
 * its comment, an order and its conversation) are made by ingest, in state.
 */
async function dispatch(source: string, result: AdapterResult): Promise<{ events: number; unknownPages: number; invalid: number }> {
  const events: RoutedEvent[] = [];
  const invalid = [...result.invalid];
  for (const r of result.events) {
    const parsed = eventSchema.safeParse(r.event);
    if (parsed.success) events.push({ shopId: r.shopId, event: parsed.data });
    else invalid.push({ id: String(r.event.id).slice(0, 80), reason: issuesText(parsed.error.issues) });
  }
  for (const i of invalid) log.warn('invalid event dropped', { source, eventId: i.id, reason: i.reason });
  if (invalid.length > 0) metric('InvalidEvents', invalid.length, { source });
  for (const pageId of result.unknownPages) log.warn('webhook for unregistered page dropped', { source, pageId });
  if (result.unknownPages.length > 0) metric('UnknownPageEvents', result.unknownPages.length, { source });
  await enqueueEvents(events, result.phones ?? []);
  metric('WebhookEvents', events.length, { source });
  return { events: events.length, unknownPages: result.unknownPages.length, invalid: invalid.length };
}

/** `GET /webhooks/meta` subscription check: returns the challenge or throws 403. */
export function verifyMetaSubscription(params: URLSearchParams): string {
  const token = params.get('hub.verify_token') ?? '';
  if (params.get('hub.mode') === 'subscribe' && safeEqual(token, requireSetting('META_VERIFY_TOKEN'))) return params.get('hub.challenge') ?? '';
  throw new ForbiddenError('Verify token mismatch');
}

export async function receiveMeta(raw: Buffer, signature: string | undefined) {
  checkSize(raw);
  if (!verifyMetaSignature(raw, signature, requireSetting('META_APP_SECRET'))) throw new UnauthorizedError('Bad or missing X-Hub-Signature-256');
  const payload = parseJson(raw);
  return dispatch('meta', normalizeMeta(payload, await contexts(metaPageIds(payload))));
}

export async function receiveZalo(raw: Buffer, signature: string | undefined) {
  checkSize(raw);
  if (!verifyZaloSignature(raw, signature, requireSetting('ZALO_APP_ID'), requireSetting('ZALO_OA_SECRET_KEY'))) {
    throw new UnauthorizedError('Bad or missing X-ZEvent-Signature');
  }
  const payload = parseJson(raw);
  return dispatch('zalo', normalizeZalo(payload, await contexts(zaloPageIds(payload))));
}

/**
 * An order webhook. The shop comes from `?shop=<shopId>` on the webhook URL
 * (set per shop when registering the webhook) or, failing that, from the
 * page named in the order's note attributes.
 */
export async function receiveOrder(platform: string, raw: Buffer, headers: (name: string) => string | undefined, shopParam: string | null) {
  checkSize(raw);
  if (!(ORDER_PLATFORMS as readonly string[]).includes(platform)) throw new NotFoundError(`Unknown order platform ${platform}`);
  const p = platform as (typeof ORDER_PLATFORMS)[number];
  const names = orderHeaders(p);
  if (!verifyOrderSignature(raw, headers(names.hmac), requireSetting('ORDER_WEBHOOK_SECRET'))) throw new UnauthorizedError(`Bad or missing ${names.hmac}`);
  const topic = headers(names.topic);
  if (!topic) throw new ValidationError(`Missing ${names.topic} header`, [{ path: names.topic, message: 'required' }]);
  const { events, pageId } = normalizeOrder(p, topic, parseJson(raw));
  let shopId = shopParam ?? undefined;
  if (shopId && !(await getShop(shopId))) shopId = undefined;
  if (!shopId && pageId) shopId = (await shopsOfPages([pageId])).get(pageId);
  if (!shopId) {
    log.warn('order webhook for no known shop dropped', { platform, pageId });
    metric('UnroutableOrderEvents', events.length, { source: platform });
    return { events: 0, unknownPages: 1, invalid: 0 };
  }
  const money = amountIssues(events, (await getShop(shopId))?.currency ?? 'VND');
  if (money.length > 0) throw new ValidationError('Order amount cannot be kept exactly', money);
  return dispatch(platform, { events: events.map((event) => ({ shopId: shopId!, event })), unknownPages: [], ignored: 0, invalid: [] });
}
