import * as z from '#lib/zod.ts';
import { NotFoundError, ValidationError, type FieldIssue } from '#lib/errors.ts';
import { getShop } from '#lib/store/shops.ts';
import { isPositionOf, listRejectedEvents, REJECTED_EVENT_DAYS, type RejectedEventRow } from '#lib/store/rejected-events.ts';
import { addDays, isValidDate, localDate, zonedToUtc } from '#lib/time/zone.ts';

/**
 * `GET /v1/shops/{shopId}/rejected-events?from&to` (SPEC §4.1): the shop's
 * events of the last 30 days that were acknowledged but not counted, newest
 * first, with the reason, the event's id, time and source, never personal
 * data, so a manager can see why an order or a message is missing. `from` and
 * `to` are inclusive local days of the shop (default: the last 30 days).
 */
const date = z.string().check(z.refine(isValidDate, 'expected a date YYYY-MM-DD'), z.meta({ format: 'date', description: 'A local date in the shop time zone, inclusive' }));
export const rejectedQuerySchema = z
  .object({
    from: z.optional(date).check(z.meta({ description: `First day (default: ${REJECTED_EVENT_DAYS - 1} days before to); nothing older than ${REJECTED_EVENT_DAYS} days is kept` })),
    to: z.optional(date).check(z.meta({ description: 'Last day (default: today in the shop time zone)' })),
    limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000)), 500).check(z.meta({ description: 'Rows per page (default 500)' })),
    cursor: z.optional(z.string().check(z.maxLength(2000))).check(z.meta({ description: 'nextCursor of the previous page, unchanged' })),
  })
  .check(
    z.superRefine((q, ctx) => {
      if (q.from && q.to && isValidDate(q.from) && isValidDate(q.to) && q.from > q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' });
    }),
  );
const KNOWN = ['from', 'to', 'limit', 'cursor'];

export type RejectedEventsPage = { shopId: string; from: string; to: string; timezone: string; generatedAt: string; rows: RejectedEventRow[]; nextCursor: string | null };

export async function listShopRejectedEvents(shopId: string, params: URLSearchParams, now = Date.now()): Promise<RejectedEventsPage> {
  const issues: FieldIssue[] = [...new Set(params.keys())].filter((k) => !KNOWN.includes(k)).map((k) => ({ path: k, message: 'unknown parameter' }));
  const input: Record<string, unknown> = {};
  for (const k of KNOWN) {
    const v = params.getAll(k);
    if (v.length > 1) issues.push({ path: k, message: 'must be given once' });
    if (v.length > 0) input[k] = v[0];
  }
  const r = rejectedQuerySchema.safeParse(input);
  if (!r.success) issues.push(...r.error.issues.map((i) => ({ path: i.path.map(String).join('.') || 'query', message: i.message })));
  let after: unknown;
  if (r.success && r.data.cursor !== undefined) {
    try {
      after = JSON.parse(Buffer.from(r.data.cursor, 'base64url').toString('utf8'));
    } catch {
      after = undefined;
    }
    if (!isPositionOf(shopId, after)) issues.push({ path: 'cursor', message: 'not a cursor of this listing' });
  }
  if (issues.length > 0 || !r.success) throw new ValidationError('Invalid rejected-events query', issues);
  const shop = await getShop(shopId);
  if (!shop) throw new NotFoundError(`Unknown shop ${shopId}`);
  const tz = shop.timezone;
  const to = r.data.to ?? localDate(now, tz);
  const from = r.data.from ?? addDays(to, -(REJECTED_EVENT_DAYS - 1));
  const page = await listRejectedEvents(shopId, zonedToUtc(from, 0, tz), zonedToUtc(addDays(to, 1), 0, tz), {
    limit: r.data.limit,
    now,
    ...(isPositionOf(shopId, after) ? { after } : {}),
  });
  return {
    shopId,
    from,
    to,
    timezone: tz,
    generatedAt: new Date(now).toISOString(),
    rows: page.rows,
    nextCursor: page.last ? Buffer.from(JSON.stringify(page.last)).toString('base64url') : null,
  };
}
