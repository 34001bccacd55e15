import type { Shop } from '#lib/shops/schema.ts';
import { F, RT_EDGES, missedShiftField, quantileOfCounts, rtField, slaMetShiftField, slaWaitsShiftField } from '#lib/rollups/cells.ts';
import { UNKNOWN_STAFF } from '#lib/ingest/context.ts';
import { listOpenWaits } from '#lib/store/open-waits.ts';
import { addWorkingSeconds, shiftAt } from '#lib/time/business.ts';
import { localParts } from '#lib/time/zone.ts';
import { coverRange } from '#lib/reports/range.ts';
import type { ReportQuery } from '#lib/reports/query.ts';
import type { ChatStaffRow, ShiftTotalsRow, StaffChatReport } from '#lib/reports/types.ts';
import { byEntity, header, ratio, read, staffIds, staffName, type Ctx, type Fields } from '#lib/reports/reading.ts';

/**
 * The `q`-quantile (0 < q ≤ 1) of response times from the merged histogram
 * (`rt{NN}` fields, bucket i = (RT_EDGES[i-1], RT_EDGES[i]] seconds).
 * Approximate to the bucket: it finds the bucket holding the ⌈q × count⌉-th
 * wait and interpolates linearly inside it, as if that bucket's waits were
 * spread evenly; the true quantile lies in the same bucket. For the open
 * last bucket (> 172 800 s) it returns that lower edge. Null when there is
 * no wait. Monotone in `q`, so the median never exceeds the P90.
 */
export function quantileFromHistogram(f: Fields, q: number): number | null {
  return quantileOfCounts(Array.from({ length: RT_EDGES.length + 1 }, (_, i) => f[rtField(i)] ?? 0), q);
}

/** The 90th percentile of response times (see `quantileFromHistogram`). */
export const p90FromHistogram = (f: Fields): number | null => quantileFromHistogram(f, 0.9);
/** The median response time (see `quantileFromHistogram`). */
export const medianFromHistogram = (f: Fields): number | null => quantileFromHistogram(f, 0.5);

/**
 * Waits still open now (the sparse open-waits index of the shop) whose SLA
 * expiry — `responseSlaMinutes` of working time after they opened — falls on
 * a local date inside [from, to] and before `now`: each with its page, the
 * local date and the shift of the expiry instant. Missed conversations
 * nobody has answered yet (reported under `unknown`); insights count them
 * the same way (lib/reports/insights.ts).
 */
export async function openMissedWaits(shop: Shop, pages: string[], from: string, to: string, now: number): Promise<Array<{ pageId: string; date: string; shift: string }>> {
  const out: Array<{ pageId: string; date: string; shift: string }> = [];
  const selected = new Set(pages);
  for (const w of await listOpenWaits(shop.shopId)) {
    if (!selected.has(w.pageId)) continue;
    const expiry = addWorkingSeconds(w.openedAt, shop.responseSlaMinutes * 60, shop.workingHours, shop.timezone, shop.closedDates ?? []);
    if (!(expiry <= now)) continue;
    const p = localParts(expiry - 1000, shop.timezone); // the last working second, as ingest books closed waits
    if (p.date < from || p.date > to) continue;
    out.push({ pageId: w.pageId, date: p.date, shift: shiftAt(p.hour * 60 + p.minute, shop.shifts) });
  }
  return out;
}

/** `openMissedWaits` counted per shift. */
async function openMissed(shop: Shop, pages: string[], from: string, to: string, now: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const w of await openMissedWaits(shop, pages, from, to, now)) out[w.shift] = (out[w.shift] ?? 0) + 1;
  return out;
}

/**
 * Per shift, over every staff row (automated replies included): waits closed
 * (in the shift where their working time began), those within the SLA, the
 * rate, and missed conversations (in the shift where the SLA ran out).
 */
function shiftTotals(shop: Shop, staff: Map<string, { fields: Record<string, number> }>, rows: ChatStaffRow[]): ShiftTotalsRow[] {
  const names = shop.shifts.map((s) => s.name);
  const sum = (field: string) => [...staff.values()].reduce((a, e) => a + (e.fields[field] ?? 0), 0);
  if (!names.includes('other') && (sum(slaWaitsShiftField('other')) > 0 || rows.some((r) => (r.missedByShift.other ?? 0) > 0))) names.push('other');
  return names.map((shift) => {
    const waitsClosed = sum(slaWaitsShiftField(shift));
    const withinSla = sum(slaMetShiftField(shift));
    return { shift, waitsClosed, withinSla, slaMetRate: ratio(withinSla, waitsClosed), missedConversations: rows.reduce((a, r) => a + (r.missedByShift[shift] ?? 0), 0) };
  });
}

/**
 * Chat staff: one row per staff member with something to show (a reply, a
 * closed wait or a missed conversation), configured staff first, then
 * `unknown` and `automated` and ids no longer configured; an all-zero row
 * is left out. `responseTimeMedianSeconds` and `responseTimeP90Seconds` from
 * the merged histogram; `responseTimeAvgSeconds` = rtSum / rtCount (rounded),
 * which a few very long waits can pull above the P90. `missedConversations`
 * = waits answered after their SLA (rollup `missed`, with the staff who
 * answered, bucketed by the expiry instant) + waits still open whose SLA ran
 * out inside the range and before `now` (under `unknown`), each also counted
 * in `missedByShift` (every configured shift present, `other` only when
 * non-zero).
 */
export async function staffChat(ctx: Ctx, q: ReportQuery, now: number): Promise<StaffChatReport> {
  const { shop } = ctx;
  const cover = coverRange(q.from, q.to);
  const [items, open] = await Promise.all([read(ctx, 'S', cover.pieces), openMissed(shop, ctx.pages, q.from, q.to, now)]);
  const staff = byEntity(items);
  const openTotal = Object.values(open).reduce((a, b) => a + b, 0);
  const ids = staffIds(shop, staff.keys());
  if (openTotal > 0 && !ids.includes(UNKNOWN_STAFF)) ids.push(UNKNOWN_STAFF);
  const rows: ChatStaffRow[] = ids.map((id) => {
    const f = staff.get(id)?.fields ?? {};
    const n = (k: string) => f[k] ?? 0;
    const extra = (s: string) => (id === UNKNOWN_STAFF ? (open[s] ?? 0) : 0);
    const missedByShift: Record<string, number> = {};
    for (const s of shop.shifts) missedByShift[s.name] = n(missedShiftField(s.name)) + extra(s.name);
    const other = n(missedShiftField('other')) + extra('other');
    if (other > 0 && !('other' in missedByShift)) missedByShift.other = other;
    const slaMetRateByShift: Record<string, number | null> = {};
    for (const s of shop.shifts) slaMetRateByShift[s.name] = ratio(n(slaMetShiftField(s.name)), n(slaWaitsShiftField(s.name)));
    if (n(slaWaitsShiftField('other')) > 0 && !('other' in slaMetRateByShift)) slaMetRateByShift.other = ratio(n(slaMetShiftField('other')), n(slaWaitsShiftField('other')));
    return {
      staffId: id,
      name: staffName(shop, id),
      responseTimeMedianSeconds: medianFromHistogram(f),
      responseTimeP90Seconds: p90FromHistogram(f),
      responseTimeAvgSeconds: n(F.rtCount) === 0 ? null : Math.round(n(F.rtSum) / n(F.rtCount)),
      messageReplies: n(F.messageReplies),
      commentReplies: n(F.commentReplies),
      conversationsAnswered: n(F.conversationsAnswered),
      missedConversations: n(F.missed) + (id === UNKNOWN_STAFF ? openTotal : 0),
      missedByShift,
      slaMetRate: ratio(n(F.slaMet), n(F.rtCount)),
      slaMetRateByShift,
    };
  });
  const shown = rows.filter((r) => r.messageReplies + r.commentReplies + r.conversationsAnswered + r.missedConversations > 0 || r.responseTimeP90Seconds !== null);
  return { ...header(shop, q, now, !cover.exactDistinct), rows: shown, shifts: shiftTotals(shop, staff, rows) };
}
