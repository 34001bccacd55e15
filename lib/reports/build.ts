import type { Channel } from '#lib/events/schema.ts';
import { ValidationError } from '#lib/errors.ts';
import type { Shop } from '#lib/shops/schema.ts';
import { fromMinor } from '#lib/money.ts';
import { F, RT_EDGES, hourField } from '#lib/rollups/cells.ts';
import { AUTOMATED, NO_PAGE, UNKNOWN_STAFF } from '#lib/ingest/context.ts';
import { getRollups, type ReadStats, type RollupItem } from '#lib/store/rollups.ts';
import { getPageStates } from '#lib/store/shops.ts';
import { listOpenWaits } from '#lib/store/open-waits.ts';
import type { RollupScope } from '#lib/store/keys.ts';
import { addWorkingSeconds, shiftAt } from '#lib/time/business.ts';
import { addDays, daysBetween, isoWeekStart, localParts, monthOf } from '#lib/time/zone.ts';
import { coverRange, previousRange, runsOf, type Piece } from '#lib/reports/range.ts';
import type { ReportQuery } from '#lib/reports/query.ts';
import type {
  AdRow,
  AdsReport,
  CampaignRow,
  ChatStaffRow,
  ConversationsReport,
  OverviewReport,
  ReferralsReport,
  ReportHeader,
  ReportName,
  SalesStaffRow,
  StaffChatReport,
  StaffSalesReport,
  Totals,
} from '#lib/reports/types.ts';

/**
 * Report use cases, computed from rollup items only: one Query per page,
 * scope and run of periods, so a report reads O(pages × periods) items and
 * never an event. Ranges of more than 62 days build their series from month
 * items (series entries keyed `YYYY-MM`), so a year reads about 12 items per
 * page and scope.
 */
export type BuildOptions = { now?: number; stats?: ReadStats };
export type AnyReport = OverviewReport | ConversationsReport | StaffChatReport | StaffSalesReport | AdsReport | ReferralsReport;

const SERIES_BY_MONTH_AFTER_DAYS = 62;
type Fields = Record<string, number>;

function add(into: Fields, from: Fields): Fields {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}
const ratio = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

/** Pages a query selects (unknown page ids are a 400), plus `_` when unfiltered. */
export function selectPages(shop: Shop, q: Pick<ReportQuery, 'pageId' | 'channel'>): string[] {
  const known = new Map(shop.pages.map((p) => [p.pageId, p.channel]));
  const unknown = q.pageId.filter((p) => !known.has(p));
  if (unknown.length > 0) throw new ValidationError('Unknown page', unknown.map((p) => ({ path: 'pageId', message: `page ${p} is not registered for this shop` })));
  let pages = q.pageId.length > 0 ? [...new Set(q.pageId)] : shop.pages.map((p) => p.pageId);
  if (q.channel) pages = pages.filter((p) => known.get(p) === (q.channel as Channel));
  const unfiltered = q.pageId.length === 0 && !q.channel;
  return unfiltered ? [...pages, NO_PAGE] : pages;
}

/** Rollup items of the pieces, for the pages and one scope. */
async function load(shopId: string, pages: string[], scope: RollupScope, pieces: Piece[], stats?: ReadStats): Promise<RollupItem[]> {
  const out: RollupItem[] = [];
  for (const run of runsOf(pieces)) {
    const per = await Promise.all(pages.map((p) => getRollups(shopId, p, scope, run.period, run.fromKey, run.toKey, stats)));
    for (const items of per) out.push(...items.filter((i) => run.keys.has(i.periodKey)));
  }
  return out;
}

function emptyTotals(): Totals {
  return {
    customersReached: 0,
    customersCared: 0,
    newCustomers: 0,
    messagesReceived: 0,
    commentsReceived: 0,
    messageConversations: 0,
    ordersCreated: 0,
    ordersCancelled: 0,
    orders: 0,
    ordersDelivered: 0,
    ordersReturned: 0,
    revenue: 0,
    provisionalRevenue: 0,
    grossProfit: 0,
    closeRate: null,
    pagesActivated: 0,
    channelsConnected: 0,
  };
}

/** SPEC §3 totals from summed page-scope fields. */
function totalsOf(f: Fields, currency: string, connected: { pages: number; channels: number }): Totals {
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
 * Pages connected now: configured pages whose latest page event is not a
 * disconnection (a configured page with no page event counts as connected);
 * `channelsConnected` is the number of distinct channels among them.
 */
async function connectedNow(shop: Shop, pages: string[]): Promise<{ pages: number; channels: number }> {
  const selected = shop.pages.filter((p) => pages.includes(p.pageId));
  const states = await getPageStates(shop.shopId, selected.map((p) => p.pageId));
  const connected = selected.filter((p, i) => states[i]?.connected !== false);
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

const sumItems = (items: RollupItem[]) => items.reduce((acc, i) => add(acc, i.fields), {} as Fields);

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

/** The 90th percentile from the response-time histogram, interpolated inside its bucket. */
export function p90FromHistogram(f: Fields): number | null {
  const counts = Array.from({ length: RT_EDGES.length + 1 }, (_, i) => f[`rt${String(i).padStart(2, '0')}`] ?? 0);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(total * 0.9);
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (cum + c >= rank) {
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
  const reach = Array.from({ length: 24 }, (_, h) => f[hourField('r', h)] ?? 0);
  const interactions = Array.from({ length: 24 }, (_, h) => (f[hourField('m', h)] ?? 0) + (f[hourField('c', h)] ?? 0));
  return { reach, interactions };
}

/** Open waits whose SLA ran out inside [from, to] and before now, by shift (attributed to `unknown`). */
async function openMissed(shop: Shop, pages: string[], from: string, to: string, now: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const w of await listOpenWaits(shop.shopId)) {
    if (!pages.includes(w.pageId)) continue;
    const expiry = addWorkingSeconds(w.openedAt, shop.responseSlaMinutes * 60, shop.workingHours, shop.timezone);
    if (!(expiry <= now)) continue;
    const p = localParts(expiry, shop.timezone);
    if (p.date < from || p.date > to) continue;
    const shift = shiftAt(p.hour * 60 + p.minute, shop.shifts);
    out[shift] = (out[shift] ?? 0) + 1;
  }
  return out;
}

async function pageTotals(shop: Shop, pages: string[], from: string, to: string, stats: ReadStats | undefined, connected: { pages: number; channels: number }) {
  const pieces = coverRange(from, to);
  const items = await load(shop.shopId, pages, 'P', pieces, stats);
  return { pieces, items, fields: sumItems(items), totals: totalsOf(sumItems(items), shop.currency, connected) };
}

function staffName(shop: Shop, id: string): string {
  if (id === UNKNOWN_STAFF) return shop.locale === 'en' ? 'Unknown' : 'Không xác định';
  if (id === AUTOMATED) return shop.locale === 'en' ? 'Automated' : 'Tự động';
  return shop.staff.find((s) => s.staffId === id)?.name ?? id;
}

function salesRows(shop: Shop, staff: Map<string, { fields: Fields }>): SalesStaffRow[] {
  const ids = new Set([...shop.staff.map((s) => s.staffId), ...[...staff.keys()].filter((k) => k !== AUTOMATED)]);
  return [...ids].map((id) => {
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

/** Builds one report of SPEC §4.1 from rollups. */
export async function buildReport(name: ReportName, shop: Shop, q: ReportQuery, opts: BuildOptions = {}): Promise<AnyReport> {
  const now = opts.now ?? Date.now();
  const stats = opts.stats;
  const pages = selectPages(shop, q);
  const pieces = coverRange(q.from, q.to);
  const approximate = pieces.length > 1;
  const head = header(shop, q, now, approximate);

  switch (name) {
    case 'overview': {
      const connected = await connectedNow(shop, pages);
      const cur = await pageTotals(shop, pages, q.from, q.to, stats, connected);
      const prev = previousRange(q.from, q.to);
      const before = await pageTotals(shop, pages, prev.from, prev.to, stats, connected);
      const long = daysBetween(q.from, q.to) + 1 > SERIES_BY_MONTH_AFTER_DAYS;
      const seriesItems = long ? cur.items : await load(shop.shopId, pages, 'P', dayPieces(q.from, q.to), stats);
      const series = seriesOf(seriesItems, long, shop.currency, connected, q.from, q.to);
      const hours = hourProfile(long ? cur.items : seriesItems);
      const staffItems = await load(shop.shopId, pages, 'S', pieces, stats);
      const topStaff = salesRows(shop, byEntity(staffItems))
        .filter((r) => r.staffId !== UNKNOWN_STAFF)
        .sort((a, b) => b.revenue - a.revenue || b.customersCared - a.customersCared || a.staffId.localeCompare(b.staffId))
        .slice(0, 5)
        .map((r) => ({ staffId: r.staffId, name: r.name, customersCared: r.customersCared, revenue: r.revenue, conversionRate: r.conversionRate }));
      const report: OverviewReport = {
        ...head,
        ...(before.pieces.length > 1 ? { approximate: true } : {}),
        totals: cur.totals,
        previous: before.totals,
        funnel: {
          reached: cur.totals.customersReached,
          cared: cur.totals.customersCared,
          ordered: cur.fields[F.funnelOrdered] ?? 0,
          delivered: cur.fields[F.funnelDelivered] ?? 0,
        },
        series,
        reachByHour: hours.reach,
        interactionsByHour: hours.interactions,
        topStaff,
      };
      return report;
    }
    case 'conversations': {
      const connected = await connectedNow(shop, pages);
      if (q.granularity === 'hour') {
        const days = await load(shop.shopId, pages, 'P', dayPieces(q.from, q.to), stats);
        const byDay = new Map<string, Fields>();
        for (const i of days) byDay.set(i.periodKey, add(byDay.get(i.periodKey) ?? {}, i.fields));
        const rows = [];
        for (let d = q.from; d <= q.to; d = addDays(d, 1)) {
          const f = byDay.get(d) ?? {};
          for (let h = 0; h < 24; h++) {
            rows.push({
              ...emptyTotals(),
              date: d,
              hour: h,
              messagesReceived: f[hourField('m', h)] ?? 0,
              commentsReceived: f[hourField('c', h)] ?? 0,
              customersReached: f[hourField('r', h)] ?? 0,
              pagesActivated: connected.pages,
              channelsConnected: connected.channels,
            });
          }
        }
        return { ...head, rows } satisfies ConversationsReport;
      }
      const long = daysBetween(q.from, q.to) + 1 > SERIES_BY_MONTH_AFTER_DAYS;
      const items = long ? await load(shop.shopId, pages, 'P', pieces, stats) : await load(shop.shopId, pages, 'P', dayPieces(q.from, q.to), stats);
      return { ...head, rows: seriesOf(items, long, shop.currency, connected, q.from, q.to) } satisfies ConversationsReport;
    }
    case 'staff-chat': {
      const staff = byEntity(await load(shop.shopId, pages, 'S', pieces, stats));
      const open = await openMissed(shop, pages, q.from, q.to, now);
      const shiftNames = shop.shifts.map((s) => s.name);
      const ids = new Set([...shop.staff.map((s) => s.staffId), ...staff.keys()]);
      if (Object.keys(open).length > 0) ids.add(UNKNOWN_STAFF);
      const rows: ChatStaffRow[] = [...ids]
        .filter((id) => id !== '')
        .map((id) => {
          const f = staff.get(id)?.fields ?? {};
          const n = (k: string) => f[k] ?? 0;
          const missedByShift: Record<string, number> = {};
          for (const s of [...shiftNames, 'other']) {
            const v = n(`missed:${s}`) + (id === UNKNOWN_STAFF ? (open[s] ?? 0) : 0);
            if (v > 0 || s !== 'other') missedByShift[s] = v;
          }
          const openTotal = id === UNKNOWN_STAFF ? Object.values(open).reduce((a, b) => a + b, 0) : 0;
          return {
            staffId: id,
            name: staffName(shop, id),
            responseTimeAvgSeconds: n(F.rtCount) === 0 ? null : Math.round(n(F.rtSum) / n(F.rtCount)),
            responseTimeP90Seconds: p90FromHistogram(f),
            messageReplies: n(F.messageReplies),
            commentReplies: n(F.commentReplies),
            conversationsAnswered: n(F.conversationsAnswered),
            missedConversations: n(F.missed) + openTotal,
            missedByShift,
          };
        });
      return { ...head, rows } satisfies StaffChatReport;
    }
    case 'staff-sales': {
      const staff = byEntity(await load(shop.shopId, pages, 'S', pieces, stats));
      return { ...head, rows: salesRows(shop, staff) } satisfies StaffSalesReport;
    }
    case 'ads': {
      const ads = byEntity(await load(shop.shopId, pages, 'A', pieces, stats));
      const rowOf = (f: Fields) => {
        const n = (k: string) => f[k] ?? 0;
        const orders = n(F.ordersCreated) - n(F.ordersCancelled);
        const revenue = fromMinor(n(F.revenueMinor), shop.currency);
        const spend = fromMinor(n(F.spendMinor), shop.currency);
        return {
          conversationsStarted: n(F.conversationsStarted),
          customersReached: n(F.customersReached),
          ordersCreated: n(F.ordersCreated),
          orders,
          revenue,
          spend,
          roas: ratio(n(F.revenueMinor), n(F.spendMinor)),
          costPerOrder: orders === 0 ? null : fromMinor(Math.round(n(F.spendMinor) / orders), shop.currency),
        };
      };
      const rows: AdRow[] = [...ads].map(([adId, v]) => ({ adId, campaignId: v.attrs.campaignId ?? null, ...rowOf(v.fields) }));
      rows.sort((a, b) => b.revenue - a.revenue || a.adId.localeCompare(b.adId));
      const campaigns = new Map<string, Fields>();
      for (const [adId, v] of ads) {
        const c = v.attrs.campaignId ?? rows.find((r) => r.adId === adId)?.campaignId;
        if (c) campaigns.set(c, add(campaigns.get(c) ?? {}, v.fields));
      }
      const campaignRows: CampaignRow[] = [...campaigns].map(([campaignId, f]) => ({ campaignId, ...rowOf(f) }));
      return { ...head, rows, campaigns: campaignRows } satisfies AdsReport;
    }
    case 'referrals': {
      const f = sumItems(await load(shop.shopId, pages, 'P', pieces, stats));
      const n = (k: string) => f[k] ?? 0;
      return {
        ...head,
        rows: [
          {
            participants: n(F.referralParticipants),
            referred: n(F.referralReferred),
            sharers: n(F.referralSharers),
            shareRate: ratio(n(F.referralSharers), n(F.referralParticipants)),
            referralOrders: n(F.referralOrders),
            referralRevenue: fromMinor(n(F.referralRevenueMinor), shop.currency),
          },
        ],
      } satisfies ReferralsReport;
    }
  }
}

function dayPieces(from: string, to: string): Piece[] {
  const out: Piece[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push({ period: 'D', key: d, from: d, to: d });
  return out;
}

/** Daily series (every day of the range, zeros included), or monthly from cover pieces for long ranges. */
function seriesOf(items: RollupItem[], byMonth: boolean, currency: string, connected: { pages: number; channels: number }, from: string, to: string): Array<{ date: string } & Totals> {
  const buckets = new Map<string, Fields>();
  // monthly: a week piece counts in the month of its Monday
  const keyOf = (i: RollupItem) => (!byMonth || i.period === 'M' ? i.periodKey : monthOf(i.period === 'W' ? isoWeekStart(i.periodKey) : i.periodKey));
  for (const i of items) {
    const k = keyOf(i);
    buckets.set(k, add(buckets.get(k) ?? {}, i.fields));
  }
  const keys: string[] = [];
  if (!byMonth) for (let d = from; d <= to; d = addDays(d, 1)) keys.push(d);
  else for (let m = monthOf(from); m <= monthOf(to); m = monthOf(addDays(`${m}-28`, 7))) keys.push(m);
  return keys.map((date) => ({ date, ...totalsOf(buckets.get(date) ?? {}, currency, connected) }));
}
