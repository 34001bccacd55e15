import * as z from '#lib/zod.ts';
import { NotFoundError, ValidationError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { rulesOf, NO_PAGE } from '#lib/ingest/context.ts';
import { customerKey, replayCells } from '#lib/ingest/replay.ts';
import { adNamesByAd } from '#lib/ingest/ad-names.ts';
import { isConversationEvent } from '#lib/events/schema.ts';
import { parseItemId, type Cells } from '#lib/rollups/cells.ts';
import { getShop } from '#lib/store/shops.ts';
import { readRawEvents } from '#lib/store/raw.ts';
import { replaceRollups } from '#lib/store/rollups.ts';
import { batchGet, keyId } from '#lib/store/batch.ts';
import { keys, type Period } from '#lib/store/keys.ts';
import { MAX_RANGE_DAYS } from '#lib/reports/query.ts';
import { addDays, isoWeek, isoWeekStart, isValidDate, localDate, monthOf, daysBetween, DATE_RULE } from '#lib/time/zone.ts';

export const rebuildSchema = z
  .object({
    shopId: z.string().check(z.minLength(1)),
    pageId: z.optional(z.string().check(z.minLength(1))),
    from: z.string().check(z.refine(isValidDate, DATE_RULE)),
    to: z.string().check(z.refine(isValidDate, DATE_RULE)),
  })
  .check(
    z.refine((r) => r.from <= r.to, { message: 'from must not be after to', path: ['from'] }),
    // capped like reports: a rebuild walks every day of the range before touching the table
    z.refine((r) => !isValidDate(r.from) || !isValidDate(r.to) || r.from > r.to || daysBetween(r.from, r.to) + 1 <= MAX_RANGE_DAYS, { message: `a range is at most ${MAX_RANGE_DAYS} days`, path: ['to'] }),
  );

/**
 * `POST /v1/admin/rebuild`: recomputes the rollups of a page (or every page
 * of the shop, and its unlinked orders) for the days `from..to`, and the ISO
 * weeks and months they touch, from raw events alone, and writes them in
 * place of the stored ones. Events from 35 days (or the attribution window)
 * before the first touched week or month are replayed so that waits and ad
 * attribution crossing the start come out as ingest computed them.
 * Run it while the page's ingestion is quiet: deltas applied during the
 * rewrite of an item would be overwritten.
 */
export async function rebuildRollups(body: unknown, now = Date.now()) {
  const req = parseWith(rebuildSchema, body, 'rebuild request');
  const shop = await getShop(req.shopId, { fresh: true });
  if (!shop) throw new NotFoundError(`Unknown shop ${req.shopId}`);
  const rules = rulesOf(shop);
  if (req.pageId && !rules.pageChannels.has(req.pageId)) throw new ValidationError('Unknown page', [{ path: 'pageId', message: `page ${req.pageId} is not registered for shop ${req.shopId}` }]);
  const pages = req.pageId ? [req.pageId] : [...rules.pageChannels.keys(), NO_PAGE];

  const periodKeys: Array<{ period: Period; key: string }> = [];
  const weeks = new Set<string>();
  const months = new Set<string>();
  for (let d = req.from; d <= req.to; d = addDays(d, 1)) {
    periodKeys.push({ period: 'D', key: d });
    weeks.add(isoWeek(d));
    months.add(monthOf(d));
  }
  for (const w of weeks) periodKeys.push({ period: 'W', key: w });
  for (const m of months) periodKeys.push({ period: 'M', key: m });
  const earliest = [...weeks].map(isoWeekStart).concat([...months].map((m) => `${m}-01`)).sort()[0]!;
  const margin = Math.max(35, shop.attributionWindowDays + 1);
  const replayFrom = addDays(earliest, -margin);
  const today = localDate(now, rules.tz);
  if (daysBetween(replayFrom, today) > 800) throw new ValidationError('Range too old to rebuild', [{ path: 'from', message: 'raw events are kept 400 days by default' }]);

  const wanted = new Set(periodKeys.map((p) => `${p.period}\u0001${p.key}`));
  // Replay the whole shop at once: an order's events can sit under different
  // pages (a cancellation that arrived before its order was linked is kept
  // under `_`), and only a joint replay sees them together.
  const events = [];
  for (const pageId of [...rules.pageChannels.keys(), NO_PAGE]) events.push(...(await readRawEvents(req.shopId, pageId, replayFrom, today)));
  const customers = new Map<string, { pageId: string; customerId: string }>();
  for (const e of events) if (isConversationEvent(e)) customers.set(customerKey(e.pageId, e.customerId), { pageId: e.pageId, customerId: e.customerId });
  const stored = await batchGet([...customers.values()].map((c) => keys.customer(req.shopId, c.pageId, c.customerId)), false);
  const firstSeen = new Map<string, number>();
  for (const [k, c] of customers) {
    const item = stored.get(keyId(keys.customer(req.shopId, c.pageId, c.customerId)));
    if (item?.first !== undefined) firstSeen.set(k, Number(item.first));
  }
  const cells: Cells = replayCells(rules, events, firstSeen);
  const campaign = new Map<string, string>();
  for (const e of events) if (e.kind === 'ad.spend' && e.campaignId) campaign.set(e.adId, e.campaignId);
  const names = adNamesByAd(events);

  const result: Array<{ pageId: string; written: number; deleted: number }> = [];
  for (const pageId of pages) {
    const computed = new Map<string, { scope: 'P' | 'S' | 'A'; period: Period; periodKey: string; entity?: string; fields: Map<string, number>; attrs?: Record<string, string> }>();
    for (const [id, fields] of cells) {
      const ref = parseItemId(id);
      if (ref.pageId !== pageId || !wanted.has(`${ref.period}\u0001${ref.periodKey}`)) continue;
      const nonZero = new Map([...fields].filter(([, v]) => v !== 0));
      if (nonZero.size === 0) continue;
      const campaignId = ref.scope === 'A' && ref.entity && nonZero.has('spendMinor') ? campaign.get(ref.entity) : undefined;
      const attrs = { ...(ref.scope === 'A' && ref.entity ? names.get(ref.entity) : {}), ...(campaignId ? { campaignId } : {}) };
      computed.set(id, { ...ref, fields: nonZero, ...(Object.keys(attrs).length > 0 ? { attrs } : {}) });
    }
    const { written, deleted } = await replaceRollups(req.shopId, pageId, periodKeys, computed);
    result.push({ pageId, written, deleted });
  }
  return { shopId: req.shopId, from: req.from, to: req.to, events: events.length, pages: result };
}
