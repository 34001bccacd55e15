import * as z from '#lib/zod.ts';
import { channelSchema } from '#lib/events/channel.ts';
import { NotFoundError, ValidationError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { waitClock } from '#lib/alerts/clock.ts';
import { getShop } from '#lib/store/shops.ts';
import { readOpenWaits } from '#lib/store/open-waits.ts';
import type { Shop } from '#lib/shops/schema.ts';

/**
 * `GET /v1/shops/{shopId}/waiting` (SPEC §4.4): every conversation whose
 * wait is open now, oldest first, read from the open-waits index (one Query
 * per shard, never a scan), each with its working-time clock (the shop's
 * working hours and SLA, lib/alerts/clock.ts) and the staff who last replied
 * in it (from the conversation's timeline, which the index projects).
 */

const pageIdSchema = z.string().check(z.minLength(1), z.maxLength(256));
export const waitingQuerySchema = z.object({
  pageId: z.optional(z.array(pageIdSchema).check(z.maxLength(50))),
  channel: z.optional(channelSchema),
  format: z._default(z.enum(['json', 'html']), 'json'),
});
export type WaitingQuery = z.infer<typeof waitingQuerySchema>;
const KNOWN = new Set(['pageId', 'channel', 'format']);

export function parseWaitingQuery(params: URLSearchParams): WaitingQuery {
  const unknown = [...new Set(params.keys())].filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw new ValidationError('Invalid query', unknown.map((path) => ({ path, message: 'unknown parameter' })));
  const pageIds = params.getAll('pageId').flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
  return parseWith(
    waitingQuerySchema,
    { ...(pageIds.length ? { pageId: pageIds } : {}), ...(params.get('channel') ? { channel: params.get('channel') } : {}), ...(params.get('format') ? { format: params.get('format') } : {}) },
    'query',
  );
}

export type WaitingRow = {
  pageId: string;
  pageName?: string;
  channel: string;
  customerId: string;
  waitingSince: string;
  workingMinutesWaited: number;
  minutesLeft: number;
  lastRepliedBy: string | null;
  lastRepliedByName?: string;
};
export type WaitingList = {
  shopId: string;
  generatedAt: string;
  timezone: string;
  responseSlaMinutes: number;
  count: number;
  waits: WaitingRow[];
};

/** The waiting list of a shop now; `readUnits` is what the index reads cost (the bench reports it). */
export async function listWaiting(shopId: string, query: WaitingQuery, now = Date.now()): Promise<{ shop: Shop; list: WaitingList; readUnits: number }> {
  const shop = await getShop(shopId);
  if (!shop) throw new NotFoundError(`Unknown shop ${shopId}`);
  const rules = rulesOf(shop);
  const pages = new Map(shop.pages.map((p) => [p.pageId, p]));
  const staffNames = new Map(shop.staff.map((s) => [s.staffId, s.name]));
  const { waits, readUnits } = await readOpenWaits(shopId);
  const wanted = (pageId: string, channel: string) => (!query.pageId || query.pageId.includes(pageId)) && (!query.channel || (pages.get(pageId)?.channel ?? channel) === query.channel);
  const rows: WaitingRow[] = [];
  for (const w of waits) {
    const channel = pages.get(w.pageId)?.channel ?? w.channel;
    if (!wanted(w.pageId, channel)) continue;
    const by = w.lastReplyBy ?? null;
    const name = by ? staffNames.get(by) : undefined;
    rows.push({
      pageId: w.pageId,
      ...(pages.get(w.pageId) ? { pageName: pages.get(w.pageId)!.name } : {}),
      channel,
      customerId: w.customerId,
      waitingSince: new Date(w.openedAt).toISOString(),
      ...waitClock(w.openedAt, now, rules),
      lastRepliedBy: by,
      ...(name ? { lastRepliedByName: name } : {}),
    });
  }
  return {
    shop,
    readUnits,
    list: { shopId, generatedAt: new Date(now).toISOString(), timezone: shop.timezone, responseSlaMinutes: shop.responseSlaMinutes, count: rows.length, waits: rows },
  };
}

