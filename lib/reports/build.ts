import { ValidationError } from '#lib/errors.ts';
import type { Shop } from '#lib/shops/schema.ts';
import { fromMinor } from '#lib/money.ts';
import { F, RT_EDGES, hourField, missedShiftField, rtField, slaMetShiftField, slaWaitsShiftField } from '#lib/rollups/cells.ts';
import { AUTOMATED, NO_PAGE, UNKNOWN_STAFF } from '#lib/ingest/context.ts';
import { getRollups, type ReadStats, type RollupItem } from '#lib/store/rollups.ts';
import { getPageStates } from '#lib/store/shops.ts';
import { listOpenWaits } from '#lib/store/open-waits.ts';
import type { RollupScope } from '#lib/store/keys.ts';
import { addWorkingSeconds, shiftAt } from '#lib/time/business.ts';
import { addDays, daysBetween, localParts, monthEnd, monthOf } from '#lib/time/zone.ts';
import { coverRange, dayPieces, monthOfPiece, previousRange, runsOf, type Cover, type Piece } from '#lib/reports/range.ts';
import type { ReportQuery } from '#lib/reports/query.ts';
import type {
  AdRow,
  AdsReport,
  CampaignRow,
  ChatStaffRow,
  ConversationRow,
  ConversationsReport,
  OverviewReport,
  ReferralsReport,
  ReportHeader,
  ReportName,
  SalesStaffRow,
  ShiftTotalsRow,
  StaffChatReport,
  StaffSalesReport,
  TopStaff,
  Totals,
} from '#lib/reports/types.ts';

/**
 * Report use cases of SPEC §4.1, computed from rollup items only, never from
 * raw events. Reads are O(pages × periods): for each selected page and scope,
 * one Query per run of same-type pieces of the range's cover (see
 * `coverRange` and `runsOf`), so a 30-day overview reads about 30 day items
 * plus a few week items per page, and a year about 12 month items plus the
 * partial weeks and days at its edges.
 *
 * Ranges of more than 62 days build their series from the cover pieces
 * grouped by calendar month (entries keyed `YYYY-MM`; the first and last
 * month cover only the days inside the range) instead of one day item per
 * day, so a 365-day overview does not read 365 day items per page.
 *
 * `approximate: true` is set when a distinct count (customers reached,
 * cared, answered, ordered, referral participants…) in the response was
 * summed over more than one rollup period; see `Cover` for the bound.
 */
export type BuildOptions = { now?: number; stats?: ReadStats };
export type AnyReport = OverviewReport | ConversationsReport | StaffChatReport | StaffSalesReport | AdsReport | ReferralsReport;

/** Ranges longer than this get a monthly series. */
export const SERIES_BY_MONTH_AFTER_DAYS = 62;

type Fields = Record<string, number>;
type Connected = { pages: number; channels: number };
type Ctx = { shop: Shop; pages: string[]; stats?: ReadStats };

function add(into: Fields, from: Fields): Fields {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}
const sumItems = (items: RollupItem[]): Fields => items.reduce((acc, i) => add(acc, i.fields), {} as Fields);
/** a / b rounded to 4 decimals, null when b is 0. */
const ratio = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

/**
 * The pages a query selects: the `pageId` list (every id must be one of the
 * shop's pages, else ValidationError), narrowed to `channel`; with neither
 * filter, every configured page plus `_`, the page of orders and spend that
 * could not be linked to a page.
 */
export function selectPages(shop: Shop, q: Pick<ReportQuery, 'pageId' | 'channel'>): string[] {
  const known = new Map(shop.pages.map((p) => [p.pageId, p.channel]));
  const unknown = q.pageId.filter((p) => !known.has(p));
  if (unknown.length > 0) throw new ValidationError('Unknown page', unknown.map((p) => ({ path: 'pageId', message: `page ${p} is not registered for this shop` })));
  let pages = q.pageId.length > 0 ? [...new Set(q.pageId)] : shop.pages.map((p) => p.pageId);
  if (q.channel) pages = pages.filter((p) => known.get(p) === q.channel);
  return q.pageId.length === 0 && !q.channel ? [...pages, NO_PAGE] : pages;
}

/**
 * Rollup items of the given pieces for every selected page and one scope:
 * one Query per page and run of pieces. Day pieces are taken from `days`
 * (already read) when given.
 */
async function read(ctx: Ctx, scope: RollupScope, pieces: Piece[], days?: RollupItem[], pages = ctx.pages): Promise<RollupItem[]> {
  const out: RollupItem[] = [];
  for (const run of runsOf(pieces)) {
    if (run.period === 'D' && days) {
      out.push(...days.filter((i) => run.keys.has(i.periodKey)));
      continue;
    }
    const per = await Promise.all(pages.map((p) => getRollups(ctx.shop.shopId, p, scope, run.period, run.fromKey, run.toKey, ctx.stats)));
    for (const items of per) out.push(...items.filter((i) => run.keys.has(i.periodKey)));
  }
  return out;
}

const emptyTotals = (connected: Connected, currency: string): Totals => totalsOf({}, currency, connected);

/** SPEC §3 totals from summed page-scope fields. */
function totalsOf(f: Fields, currency: string, connected: Connected): Totals {
  const n = (k: string) => f[k] ?? 0;
  return {
    customersReached: n(F.customersReached),
    customersCared: n(F.customersCared),
    newCustomers: n(F.newCustomers),
    messagesReceived: n(F.messagesReceived),
    commentsReceived: n(F.commentsReceived),
    messageConversations: n(F.messageConversations),
    ordersCreated: n(F.ordersCreated),
    ordersCancelled: n(F.ordersCancelled),
    orders: n(F.ordersCreated) - n(F.ordersCancelled),
    ordersDelivered: n(F.ordersDelivered),
    ordersReturned: n(F.ordersReturned),
    revenue: fromMinor(n(F.revenueMinor), currency),
    provisionalRevenue: fromMinor(n(F.provisionalRevenueMinor), currency),
    grossProfit: fromMinor(n(F.grossProfitMinor), currency),
    closeRate: ratio(n(F.ordersCreated), n(F.customersReached)),
    pagesActivated: connected.pages,
    channelsConnected: connected.channels,
  };
}

/**
 * `pagesActivated`: selected configured pages connected now (latest page
 * event not a disconnection; a page with no page event yet counts as
 * connected). `channelsConnected`: the number of distinct channels
 * (facebook, instagram, zalo) among those connected pages.
 */
async function connectedNow(shop: Shop, pages: string[]): Promise<Connected> {
  const selected = shop.pages.filter((p) => pages.includes(p.pageId));
  const states = await getPageStates(shop.shopId, selected.map((p) => p.pageId));
  const connected = selected.filter((_, i) => states[i]?.connected !== false);
  return { pages: connected.length, channels: new Set(connected.map((p) => p.channel)).size };
}

function header(shop: Shop, q: ReportQuery, now: number, approximate: boolean): ReportHeader {
  return {
    shopId: shop.shopId,
    from: q.from,
    to: q.to,
    timezone: shop.timezone,
    currency: shop.currency,
    generatedAt: new Date(now).toISOString(),
    ...(approximate ? { approximate: true } : {}),
  };
}

function byEntity(items: RollupItem[]): Map<string, { fields: Fields; attrs: Record<string, string> }> {
  const out = new Map<string, { fields: Fields; attrs: Record<string, string> }>();
  for (const i of items) {
    const e = i.entity ?? '';
    const cur = out.get(e) ?? { fields: {}, attrs: {} };
    add(cur.fields, i.fields);
    Object.assign(cur.attrs, i.attrs);
    out.set(e, cur);
  }
  return out;
}

/**
 * The 90th percentile of response times from the merged histogram
 * (`rt{NN}` fields, bucket i = (RT_EDGES[i-1], RT_EDGES[i]] seconds).
 * Approximate to the bucket: it finds the bucket holding the
 * ⌈0.9 × count⌉-th wait and interpolates linearly inside it, as if that
 * bucket's waits were spread evenly; the true p90 lies in the same bucket.
 * For the open last bucket (> 172 800 s) it returns that lower edge.
 * Null when there is no wait.
 */
export function p90FromHistogram(f: Fields): number | null {
  const counts = Array.from({ length: RT_EDGES.length + 1 }, (_, i) => f[rtField(i)] ?? 0);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(total * 0.9);
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0 && cum + c >= rank) {
      if (i >= RT_EDGES.length) return RT_EDGES[RT_EDGES.length - 1]!;
      const lo = i === 0 ? 0 : RT_EDGES[i - 1]!;
      const hi = RT_EDGES[i]!;
      return Math.round(lo + ((hi - lo) * (rank - cum)) / c);
    }
    cum += c;
  }
  return null;
}

function hourProfile(items: RollupItem[]): { reach: number[]; interactions: number[] } {
  const f = sumItems(items);
  return {
    reach: Array.from({ length: 24 }, (_, h) => f[hourField('r', h)] ?? 0),
    interactions: Array.from({ length: 24 }, (_, h) => (f[hourField('m', h)] ?? 0) + (f[hourField('c', h)] ?? 0)),
  };
}

/**
 * Waits still open now (one Query on the sparse GSI1 of the shop) whose SLA
 * expiry — `responseSlaMinutes` of working time after they opened — falls on
 * a local date inside [from, to] and before `now`, counted per shift of the
 * expiry instant. Reported under `unknown`: nobody has answered them yet.
 */
async function openMissed(shop: Shop, pages: string[], from: string, to: string, now: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const selected = new Set(pages);
  for (const w of await listOpenWaits(shop.shopId)) {
    if (!selected.has(w.pageId)) continue;
    const expiry = addWorkingSeconds(w.openedAt, shop.responseSlaMinutes * 60, shop.workingHours, shop.timezone, shop.closedDates ?? []);
    if (!(expiry <= now)) continue;
    const p = localParts(expiry - 1000, shop.timezone); // the last working second, as ingest books closed waits
    if (p.date < from || p.date > to) continue;
    const shift = shiftAt(p.hour * 60 + p.minute, shop.shifts);
    out[shift] = (out[shift] ?? 0) + 1;
  }
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

function staffName(shop: Shop, id: string): string {
  if (id === UNKNOWN_STAFF) return shop.locale === 'en' ? 'Unknown' : 'Không xác định';
  if (id === AUTOMATED) return shop.locale === 'en' ? 'Automated' : 'Tự động';
  return shop.staff.find((s) => s.staffId === id)?.name ?? id;
}

/** Configured staff first (config order), then other entities that have data. */
function staffIds(shop: Shop, withData: Iterable<string>, exclude: string[] = []): string[] {
  const ids = new Set(shop.staff.map((s) => s.staffId));
  for (const id of withData) if (id !== '' && !exclude.includes(id)) ids.add(id);
  return [...ids];
}

function salesRows(shop: Shop, staff: Map<string, { fields: Fields }>): SalesStaffRow[] {
  return staffIds(shop, staff.keys(), [AUTOMATED]).map((id) => {
    const f = staff.get(id)?.fields ?? {};
    const n = (k: string) => f[k] ?? 0;
    return {
      staffId: id,
      name: staffName(shop, id),
      ordersCreated: n(F.ordersCreated),
      orders: n(F.ordersCreated) - n(F.ordersCancelled),
      revenue: fromMinor(n(F.revenueMinor), shop.currency),
      grossProfit: fromMinor(n(F.grossProfitMinor), shop.currency),
      customersCared: n(F.conversationsAnswered),
      conversionRate: ratio(n(F.customersOrdered), n(F.conversationsAnswered)),
    };
  });
}

/** Builds one report of SPEC §4.1 (JSON shape) from rollups. */
export async function buildReport(name: ReportName, shop: Shop, q: ReportQuery, opts: BuildOptions = {}): Promise<AnyReport> {
  const now = opts.now ?? Date.now();
  const ctx: Ctx = { shop, pages: selectPages(shop, q), ...(opts.stats ? { stats: opts.stats } : {}) };
  switch (name) {
    case 'overview':
      return overview(ctx, q, now);
    case 'conversations':
      return conversations(ctx, q, now);
    case 'staff-chat':
      return staffChat(ctx, q, now);
    case 'staff-sales':
      return staffSales(ctx, q, now);
    case 'ads':
      return ads(ctx, q, now);
    case 'referrals':
      return referrals(ctx, q, now);
  }
}

const isLong = (q: Pick<ReportQuery, 'from' | 'to'>) => daysBetween(q.from, q.to) + 1 > SERIES_BY_MONTH_AFTER_DAYS;

/**
 * The overview: totals over the range's cover, `previous` over the cover of
 * the preceding range of equal length, the funnel (customersReached →
 * customersCared → customers with a non-cancelled order → delivered), the
 * series (per day; per month over 62 days), hour profiles summed over the
 * items read (every rollup period carries them, summed over its days), and
 * the top 5 staff by revenue, then customers cared (`unknown` and
 * `automated` left out).
 */
async function overview(ctx: Ctx, q: ReportQuery, now: number): Promise<OverviewReport> {
  const { shop } = ctx;
  const long = isLong(q);
  const cover = coverRange(q.from, q.to, long ? { withinMonths: true } : {});
  const prevRange = previousRange(q.from, q.to);
  const prevCover = coverRange(prevRange.from, prevRange.to);
  const connected = await connectedNow(shop, ctx.pages);

  const days = long ? undefined : await read(ctx, 'P', dayPieces(q.from, q.to));
  const [items, prevItems, staffItems] = await Promise.all([read(ctx, 'P', cover.pieces, days), read(ctx, 'P', prevCover.pieces), read(ctx, 'S', cover.pieces)]);
  const fields = sumItems(items);
  const totals = totalsOf(fields, shop.currency, connected);
  const series = long ? monthlySeries(items, cover, q, shop.currency, connected) : dailySeries(days!, q, shop.currency, connected);
  const hours = hourProfile(long ? items : days!);
  const topStaff: TopStaff[] = salesRows(shop, byEntity(staffItems))
    .filter((r) => r.staffId !== UNKNOWN_STAFF)
    .sort((a, b) => b.revenue - a.revenue || b.customersCared - a.customersCared || a.staffId.localeCompare(b.staffId))
    .slice(0, 5)
    .map((r) => ({ staffId: r.staffId, name: r.name, customersCared: r.customersCared, revenue: r.revenue, conversionRate: r.conversionRate }));

  return {
    ...header(shop, q, now, !cover.exactDistinct || !prevCover.exactDistinct),
    totals,
    previous: totalsOf(sumItems(prevItems), shop.currency, connected),
    previousRange: prevRange,
    funnel: { reached: totals.customersReached, cared: totals.customersCared, ordered: fields[F.funnelOrdered] ?? 0, delivered: fields[F.funnelDelivered] ?? 0 },
    seriesPeriod: long ? 'month' : 'day',
    series,
    reachByHour: hours.reach,
    interactionsByHour: hours.interactions,
    topStaff,
  };
}

/** One entry per day of the range (zeros included) from day items; each exact. */
function dailySeries(days: RollupItem[], q: ReportQuery, currency: string, connected: Connected): Array<{ date: string } & Totals> {
  const byDay = new Map<string, Fields>();
  for (const i of days) byDay.set(i.periodKey, add(byDay.get(i.periodKey) ?? {}, i.fields));
  const out: Array<{ date: string } & Totals> = [];
  for (let d = q.from; d <= q.to; d = addDays(d, 1)) out.push({ date: d, ...totalsOf(byDay.get(d) ?? {}, currency, connected) });
  return out;
}

/**
 * One entry per calendar month touched by the range, summed from the items
 * of a cover whose pieces each lie in one month (`withinMonths`), so
 * additive figures are exact; a month entry's distinct counts are exact when
 * it is one piece (a whole month inside the range).
 */
function monthlySeries(items: RollupItem[], cover: Cover, q: ReportQuery, currency: string, connected: Connected): Array<{ date: string } & Totals> {
  const monthOfKey = new Map(cover.pieces.map((p) => [`${p.period}${p.key}`, monthOfPiece(p)]));
  const byMonth = new Map<string, Fields>();
  for (const i of items) {
    const m = monthOfKey.get(`${i.period}${i.periodKey}`);
    if (m) byMonth.set(m, add(byMonth.get(m) ?? {}, i.fields));
  }
  const out: Array<{ date: string } & Totals> = [];
  for (let m = monthOf(q.from); m <= monthOf(q.to); m = monthOf(addDays(monthEnd(m), 1))) out.push({ date: m, ...totalsOf(byMonth.get(m) ?? {}, currency, connected) });
  return out;
}

/**
 * Conversations: the page-scope series as rows. `granularity=day`: one row
 * per date (per `YYYY-MM` month over 62 days, approximate for partial
 * months). `granularity=hour`: 24 rows per date, `{date, hour, …}`, read from
 * day items; only the hour-resolved figures are filled — `messagesReceived`,
 * `commentsReceived` and `customersReached` (customers whose first inbound
 * of that day fell in that hour, so the 24 rows of a day add up to its
 * customersReached) — and every other metric is 0, as rollups keep no other
 * figure per hour.
 */
async function conversations(ctx: Ctx, q: ReportQuery, now: number): Promise<ConversationsReport> {
  const { shop } = ctx;
  const connected = await connectedNow(shop, ctx.pages);
  if (q.granularity === 'hour') {
    const days = await read(ctx, 'P', dayPieces(q.from, q.to));
    const byDay = new Map<string, Fields>();
    for (const i of days) byDay.set(i.periodKey, add(byDay.get(i.periodKey) ?? {}, i.fields));
    const rows: ConversationRow[] = [];
    for (let d = q.from; d <= q.to; d = addDays(d, 1)) {
      const f = byDay.get(d) ?? {};
      for (let h = 0; h < 24; h++) {
        rows.push({
          date: d,
          hour: h,
          ...emptyTotals(connected, shop.currency),
          messagesReceived: f[hourField('m', h)] ?? 0,
          commentsReceived: f[hourField('c', h)] ?? 0,
          customersReached: f[hourField('r', h)] ?? 0,
        });
      }
    }
    return { ...header(shop, q, now, false), rows };
  }
  if (!isLong(q)) {
    const days = await read(ctx, 'P', dayPieces(q.from, q.to));
    return { ...header(shop, q, now, false), rows: dailySeries(days, q, shop.currency, connected) };
  }
  const cover = coverRange(q.from, q.to, { withinMonths: true });
  const items = await read(ctx, 'P', cover.pieces);
  const piecesPerMonth = new Map<string, number>();
  for (const p of cover.pieces) piecesPerMonth.set(monthOfPiece(p), (piecesPerMonth.get(monthOfPiece(p)) ?? 0) + 1);
  const approximate = [...piecesPerMonth.values()].some((n) => n > 1);
  return { ...header(shop, q, now, approximate), rows: monthlySeries(items, cover, q, shop.currency, connected) };
}

/**
 * Chat staff: one row per configured staff member, plus `unknown` and
 * `automated` (and ids no longer configured) when they have data.
 * `responseTimeAvgSeconds` = rtSum / rtCount (rounded); p90 from the merged
 * histogram (see `p90FromHistogram`). `missedConversations` = waits answered
 * after their SLA (rollup `missed`, with the staff who answered, bucketed by
 * the expiry instant) + waits still open whose SLA ran out inside the range
 * and before `now` (under `unknown`), each also counted in `missedByShift`
 * (every configured shift present, `other` only when non-zero).
 */
async function staffChat(ctx: Ctx, q: ReportQuery, now: number): Promise<StaffChatReport> {
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
      responseTimeAvgSeconds: n(F.rtCount) === 0 ? null : Math.round(n(F.rtSum) / n(F.rtCount)),
      responseTimeP90Seconds: p90FromHistogram(f),
      messageReplies: n(F.messageReplies),
      commentReplies: n(F.commentReplies),
      conversationsAnswered: n(F.conversationsAnswered),
      missedConversations: n(F.missed) + (id === UNKNOWN_STAFF ? openTotal : 0),
      missedByShift,
      slaMetRate: ratio(n(F.slaMet), n(F.rtCount)),
      slaMetRateByShift,
    };
  });
  return { ...header(shop, q, now, !cover.exactDistinct), rows, shifts: shiftTotals(shop, staff, rows) };
}

/**
 * Sales staff: configured staff plus `unknown` (orders with no staff) when
 * it has data. `customersCared` is the staff's distinct customers answered;
 * `conversionRate` = customers with a non-cancelled order by that staff /
 * customersCared (null when 0).
 */
async function staffSales(ctx: Ctx, q: ReportQuery, now: number): Promise<StaffSalesReport> {
  const cover = coverRange(q.from, q.to);
  const staff = byEntity(await read(ctx, 'S', cover.pieces));
  return { ...header(ctx.shop, q, now, !cover.exactDistinct), rows: salesRows(ctx.shop, staff) };
}

/**
 * Ads: one row per adId (by revenue, then id) and `campaigns` aggregated by
 * campaignId (ads with no known campaign are left out of `campaigns`).
 * `orders` = ordersCreated − ordersCancelled; `roas` = revenue / spend;
 * `costPerOrder` = spend / orders (rounded to the minor unit); both null
 * when the denominator is 0. Spend is stored on the page its event names,
 * else on `_`, so a page or channel filter leaves out unlinked spend; the
 * campaign of an ad is still read from `_` (one extra Query per run).
 */
async function ads(ctx: Ctx, q: ReportQuery, now: number): Promise<AdsReport> {
  const { shop } = ctx;
  const cover = coverRange(q.from, q.to);
  const items = await read(ctx, 'A', cover.pieces);
  const byAd = byEntity(items);
  if (!ctx.pages.includes(NO_PAGE) && byAd.size > 0) {
    for (const i of await read(ctx, 'A', cover.pieces, undefined, [NO_PAGE])) {
      const ad = byAd.get(i.entity ?? '');
      if (ad && i.attrs.campaignId && !ad.attrs.campaignId) ad.attrs.campaignId = i.attrs.campaignId;
    }
  }
  const rowOf = (f: Fields): Omit<AdRow, 'adId' | 'campaignId'> => {
    const n = (k: string) => f[k] ?? 0;
    const orders = n(F.ordersCreated) - n(F.ordersCancelled);
    return {
      conversationsStarted: n(F.conversationsStarted),
      customersReached: n(F.customersReached),
      ordersCreated: n(F.ordersCreated),
      orders,
      revenue: fromMinor(n(F.revenueMinor), shop.currency),
      spend: fromMinor(n(F.spendMinor), shop.currency),
      roas: ratio(n(F.revenueMinor), n(F.spendMinor)),
      costPerOrder: orders === 0 ? null : fromMinor(Math.round(n(F.spendMinor) / orders), shop.currency),
    };
  };
  const rows: AdRow[] = [...byAd]
    .filter(([adId]) => adId !== '')
    .map(([adId, v]) => ({ adId, campaignId: v.attrs.campaignId ?? null, ...rowOf(v.fields) }))
    .sort((a, b) => b.revenue - a.revenue || a.adId.localeCompare(b.adId));
  const campaigns = new Map<string, Fields>();
  for (const [adId, v] of byAd) {
    const c = v.attrs.campaignId;
    if (c && adId !== '') campaigns.set(c, add(campaigns.get(c) ?? {}, v.fields));
  }
  const campaignRows: CampaignRow[] = [...campaigns]
    .map(([campaignId, f]) => ({ campaignId, ...rowOf(f) }))
    .sort((a, b) => b.revenue - a.revenue || a.campaignId.localeCompare(b.campaignId));
  return { ...header(shop, q, now, !cover.exactDistinct), rows, campaigns: campaignRows };
}

/**
 * Referral programme, one row: participants (joined in the range), referred
 * (of those, joined through someone's referral), sharers (participants who
 * shared), shareRate = sharers / participants, referralOrders and
 * referralRevenue (non-cancelled orders carrying a referral code, by
 * creation time).
 */
async function referrals(ctx: Ctx, q: ReportQuery, now: number): Promise<ReferralsReport> {
  const cover = coverRange(q.from, q.to);
  const f = sumItems(await read(ctx, 'P', cover.pieces));
  const n = (k: string) => f[k] ?? 0;
  return {
    ...header(ctx.shop, q, now, !cover.exactDistinct),
    rows: [
      {
        participants: n(F.referralParticipants),
        referred: n(F.referralReferred),
        sharers: n(F.referralSharers),
        shareRate: ratio(n(F.referralSharers), n(F.referralParticipants)),
        referralOrders: n(F.referralOrders),
        referralRevenue: fromMinor(n(F.referralRevenueMinor), ctx.shop.currency),
      },
    ],
  };
}
