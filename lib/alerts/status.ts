import * as z from '#lib/zod.ts';
import { parseWith } from '#lib/http/http.ts';
import { NotFoundError } from '#lib/errors.ts';
import { getShop } from '#lib/store/shops.ts';
import { listAlertGroups } from '#lib/store/alerts.ts';
import { parseEntry } from '#lib/alerts/groups.ts';

/**
 * `GET /v1/admin/shops/{shopId}/alerts?since=<ISO>` (admin token): the
 * shop's alert groups since then (default the last 24 hours; they are kept
 * 7 days), each with its waits and each channel's delivery status and
 * attempts, so an admin can see what was sent, what is being retried and
 * what went to the dead-letter queue.
 */
const querySchema = z.object({ since: z.optional(z.iso.datetime({ offset: true })) });

export async function alertStatus(shopId: string, params: URLSearchParams, now = Date.now()) {
  const q = parseWith(querySchema, Object.fromEntries(params), 'query');
  if (!(await getShop(shopId))) throw new NotFoundError(`Unknown shop ${shopId}`);
  const since = q.since ? new Date(q.since).toISOString() : new Date(now - 86_400_000).toISOString();
  const groups = await listAlertGroups(shopId, since);
  return {
    shopId,
    since,
    groups: groups.map((g) => ({
      window: g.window,
      threshold: g.threshold,
      part: g.part,
      waits: g.waits.length,
      sentAt: g.sentAt === undefined ? null : new Date(g.sentAt).toISOString(),
      deliveries: Object.entries(g.deliveries)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([i, d]) => ({ channel: Number(i), type: d.type, target: d.target, status: d.status, attempts: d.attempts, at: new Date(d.at).toISOString(), ...(d.lastError ? { lastError: d.lastError } : {}) })),
      oldestWaitSince: g.waits.length ? new Date(Math.min(...g.waits.map((e) => parseEntry(e).openedAt))).toISOString() : null,
    })),
  };
}
