import { ForbiddenError, NotFoundError, PayloadTooLargeError, UnauthorizedError, ValidationError } from '#lib/errors.ts';
import { config, requireSetting } from '#lib/config.ts';
import { log, metric, metricWithTotal } from '#lib/log.ts';
import { safeEqual } from '#lib/http/http.ts';
import { isOrderSignatureShaped, verifyMetaSignature, verifyOrderSignature, verifyZaloSignature } from '#lib/adapters/signature.ts';
import { metaPageIds, normalizeMeta } from '#lib/adapters/meta.ts';
import { normalizeZalo, zaloPageIds } from '#lib/adapters/zalo.ts';
import { costRefsOf, orderEvents, orderHeaders, ORDER_PLATFORMS, parseOrderJson, readOrderWebhook, scopeToShop, type OrderPlatform } from '#lib/adapters/orders.ts';
import { getOrderWebhookSecret } from '#lib/store/order-secrets.ts';
import { getProductCosts } from '#lib/store/product-costs.ts';
import { shopIdSchema } from '#lib/shops/schema.ts';
import type { AdapterResult, ShopContext } from '#lib/adapters/types.ts';
import { enqueueEvents, type RoutedEvent } from '#lib/ingest/enqueue.ts';
import { eventSchema, issuesText } from '#lib/events/schema.ts';
import { getShop, shopsOfPages } from '#lib/store/shops.ts';
import { amountIssues } from '#lib/money.ts';
import type { RejectedEvent } from '#lib/store/rejected-events.ts';

type RejectedRoute = RejectedEvent & { shopId: string };

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
    else invalid.push({ shopId: r.shopId, id: String(r.event.id).slice(0, 80), reason: issuesText(parsed.error.issues) });
  }
  for (const i of invalid) log.warn('invalid event dropped', { source, eventId: i.id, reason: i.reason });
  if (invalid.length > 0) metricWithTotal('InvalidEvents', invalid.length, { source });
  const rejected = [...(result.rejected ?? [])];
  for (const i of invalid) if (i.shopId) rejected.push({ shopId: i.shopId, eventId: i.id, reason: 'invalid', source, detail: i.reason });
  for (const pageId of result.unknownPages) log.warn('webhook for unregistered page dropped', { source, pageId });
  if (result.unknownPages.length > 0) metric('UnknownPageEvents', result.unknownPages.length, { source });
  await enqueueEvents(events, result.phones ?? [], rejected);
  metricWithTotal('WebhookEvents', events.length, { source });
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
 * An order webhook for one shop (`/webhooks/orders/{platform}/{shopId}`):
 * size → signature header shape (no read for an unsigned request) → the shop's own secret for that platform → signature → topic (one we
 * do not use is acknowledged and counted) → exact parse → cost table → scoped
 * to the shop → queue. An unknown shop and a shop without a secret for the
 * platform answer the same 401, so the route reveals nothing.
 */
export async function receiveOrder(platform: string, shopSegment: string, raw: Buffer, headers: (name: string) => string | undefined) {
  checkSize(raw);
  if (!(ORDER_PLATFORMS as readonly string[]).includes(platform)) throw new NotFoundError(`Unknown order platform ${platform}; expected one of ${ORDER_PLATFORMS.join(', ')}`);
  const p = platform as OrderPlatform;
  const names = orderHeaders(p);
  const shopId = shopIdOf(shopSegment);
  const signature = names.hmac.map((n) => headers(n)).find((v) => v !== undefined);
  // a missing or malformed signature is refused before any read: an unsigned flood costs no read capacity
  const secret = shopId && isOrderSignatureShaped(signature) ? await getOrderWebhookSecret(shopId, p) : undefined;
  const shop = secret && verifyOrderSignature(raw, signature, secret) ? await getShop(shopId!) : undefined;
  if (!shop) throw new UnauthorizedError(`Bad or missing ${names.hmac[0]}: sign with this shop's ${platform} webhook secret (set by PUT /v1/admin/shops/{shopId}/order-webhooks/${platform})`);
  const topic = headers(names.topic);
  if (!topic?.trim()) throw new ValidationError(`Missing ${names.topic} header`, [{ path: names.topic, message: 'required' }]);
  const read = readOrderWebhook(p, topic, parseOrderJson(raw));
  if ('ignored' in read) {
    log.info('order webhook topic ignored', { platform, topic: read.ignored, shopId: shop.shopId });
    metric('UnknownOrderTopic', 1, { source: platform });
    return { events: 0, ignored: read.ignored };
  }
  if ('test' in read) {
    // a test order is no sale (SPEC §1.3): acknowledged, counted in a metric, listed so a manager sees why
    log.info('test order ignored', { platform, orderId: read.test, shopId: shop.shopId });
    metric('TestOrders', 1, { source: platform });
    await enqueueEvents([], [], [{ shopId: shop.shopId, eventId: read.test, reason: 'test_order', source: platform }]);
    return { events: 0, ignored: 'test' };
  }
  if ('order' in read && read.order.currency && read.order.currency !== shop.currency.toUpperCase()) {
    // never converted or rounded silently (SPEC §1.3): not counted, listed with the reason
    const detail = `order in ${read.order.currency}, shop in ${shop.currency}`;
    log.warn('order in another currency dropped', { platform, orderId: read.order.orderId, shopId: shop.shopId, reason: detail });
    metric('CurrencyMismatch', 1, { source: platform });
    await enqueueEvents([], [], [{ shopId: shop.shopId, eventId: read.order.orderId, reason: 'currency_mismatch', source: platform, at: read.order.createdAt, detail }]);
    return { events: 0, ignored: 'currency_mismatch' };
  }
  const events = 'fulfillment' in read ? read.fulfillment : scopeToShop(orderEvents(read.order, await getProductCosts(shop.shopId, costRefsOf(read.order))), shop);
  const money = amountIssues(events, shop.currency);
  if (money.length > 0) throw new ValidationError('Order amount cannot be kept exactly', money);
  const order = 'order' in read ? read.order : undefined;
  const pageId = order?.notes.get('page_id');
  // a page of no shop, or of another one: the order counts, without that link; the manager can see why
  const rejected: RejectedRoute[] =
    order && pageId && !shop.pages.some((pg) => pg.pageId === pageId)
      ? [{ shopId: shop.shopId, eventId: `${order.orderId}:page`, reason: 'unknown_page', source: platform, at: order.createdAt, detail: 'note_attributes page_id is not a page of this shop; the order counts without its page' }]
      : [];
  return dispatch(platform, { events: events.map((event) => ({ shopId: shop.shopId, event })), unknownPages: [], ignored: 0, invalid: [], rejected });
}

/** The shop id of a path segment, or undefined when it cannot be one (bad escape, bad characters). */
function shopIdOf(segment: string): string | undefined {
  try {
    const id = decodeURIComponent(segment);
    return shopIdSchema.safeParse(id).success ? id : undefined;
  } catch {
    return undefined;
  }
}
