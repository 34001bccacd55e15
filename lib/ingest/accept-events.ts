import { eventBatchSchema, MAX_EVENTS_PER_BATCH } from '#lib/events/schema.ts';
import { NotFoundError, PayloadTooLargeError, ValidationError, type FieldIssue } from '#lib/errors.ts';
import { fieldIssues } from '#lib/http/http.ts';
import { enqueueEvents } from '#lib/ingest/enqueue.ts';
import { FUTURE_TOLERANCE_MS } from '#lib/ingest/record-batch.ts';
import { getShop } from '#lib/store/shops.ts';
import { amountIssues } from '#lib/money.ts';
import { chargeShop } from '#lib/limits/shop-limits.ts';

/**
 * `POST /v1/events`: validates the whole batch (an invalid event rejects it
 * whole with every problem listed), checks every page belongs to the caller's
 * shop, and queues the events. Repeats inside the request are reported as
 * duplicates; repeats of earlier requests are dropped at ingest. Every
 * request, valid or not, counts against the shop's events limit (a 429 with
 * `Retry-After` past it: lib/limits/shop-limits.ts), before anything is read.
 */
export async function acceptEvents(shopId: string, body: unknown): Promise<{ accepted: number; duplicates: number }> {
  const events = (body as { events?: unknown } | null)?.events;
  await chargeShop(shopId, 'events', Array.isArray(events) ? Math.max(1, Math.min(events.length, MAX_EVENTS_PER_BATCH)) : 1);
  if (Array.isArray(events) && events.length > MAX_EVENTS_PER_BATCH) {
    throw new PayloadTooLargeError(MAX_EVENTS_PER_BATCH, `A batch holds at most ${MAX_EVENTS_PER_BATCH} events; this one has ${events.length}`);
  }
  const parsed = eventBatchSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError('Invalid event batch', fieldIssues(parsed.error, 'events'));
  const shop = await getShop(shopId);
  if (!shop) throw new NotFoundError(`Unknown shop ${shopId}`);
  const pages = new Set(shop.pages.map((p) => p.pageId));
  const issues: FieldIssue[] = [];
  const latest = Date.now() + FUTURE_TOLERANCE_MS;
  parsed.data.events.forEach((e, index) => {
    if (Date.parse(e.at) > latest) issues.push({ index, path: 'at', message: 'more than 24 hours in the future' });
    const pageId = 'pageId' in e ? e.pageId : undefined;
    if (pageId !== undefined && !pages.has(pageId)) issues.push({ index, path: 'pageId', message: `page ${pageId} is not registered for shop ${shopId}` });
  });
  issues.push(...amountIssues(parsed.data.events, shop.currency));
  if (issues.length > 0) throw new ValidationError('Invalid event batch', issues);
  const unique = new Map(parsed.data.events.map((e) => [e.id, e]));
  await enqueueEvents([...unique.values()].map((event) => ({ shopId, event })));
  return { accepted: unique.size, duplicates: parsed.data.events.length - unique.size };
}
