import type { Locale, Recipient, Shop } from '#lib/shops/schema.ts';
import type { AdRow, AdsReport, ChatStaffRow, OverviewReport, ReferralsReport, SalesStaffRow, StaffChatReport, StaffSalesReport, Totals } from '#lib/reports/types.ts';
import {
  formatChange,
  formatDay,
  formatDayRange,
  formatDuration,
  formatHourSpan,
  formatInstant,
  formatMoney,
  formatMultiple,
  formatNumber,
  formatPercent,
  formatShortDay,
  strings,
  zoneLabel,
  type DigestPeriod,
  type DigestStrings,
} from '#lib/email/i18n.ts';
import { escapeHtml } from '#lib/email/skeleton.ts';
import { insightsHeading } from '#lib/insights/sentence.ts';

/**
 * The digest's view model: every figure already formatted for the
 * recipient's locale, the shop's currency and zone, and every string
 * HTML-escaped, ready for the compiled template's `{{placeholders}}` and
 * `{{#sections}}`. The template holds all markup; this holds only data (plus
 * bar sizes and the green/red of a change).
 */

/**
 * The KPI tiles, two per row, rows in this order. A row whose two figures
 * are both nothing (0 or unknown, now and in the previous period) is left
 * out: an all-zero card is noise.
 */
export const KPI_ROWS = {
  reach: ['customersReached', 'newCustomers'],
  sales: ['orders', 'revenue'],
  deliveries: ['deliveries', 'deliveredRevenue'],
  rates: ['closeRate', 'grossProfit'],
  care: ['customersCared', 'ordersCancelled'],
} as const;
export type KpiRow = keyof typeof KPI_ROWS;
export const KPI_KEYS = Object.values(KPI_ROWS).flat();
export type KpiKey = (typeof KPI_KEYS)[number];

/**
 * `size`: the value's font size in px, smaller for long figures so a tile never wraps or overflows on a phone.
 * `note`: a line under the change ('' for none): gross profit's cost coverage when below 1.
 */
export type KpiTile = { label: string; value: string; change: string; color: string; size: number; note: string };
export type FunnelStep = { label: string; value: string; width: number; conversion: string };
export type HourBar = { hour: number; count: string; title: string; height: number; color: string; bar: boolean };
export type TopStaffLine = { rank: string; name: string; customersCared: string; revenue: string; conversionRate: string };
/** `slaRate`: the share answered within the SLA (the table cell); `sla`: the same with its split per shift (the detail line). */
export type ChatStaffLine = {
  name: string;
  median: string;
  p90: string;
  avg: string;
  slaRate: string;
  messageReplies: string;
  commentReplies: string;
  missed: string;
  missedByShift: string;
  sla: string;
};
export type SalesStaffLine = { name: string; ordersCreated: string; orders: string; revenue: string; grossProfit: string; coverage: string; conversionRate: string };
/** `name`: the ad's name, or "Ad <id>" only when no name is known; `campaign`: the campaign's name, else its id. */
export type AdLine = { name: string; campaign: string; spend: string; revenue: string; roas: string; orders: string; costPerOrder: string; costPerConversation: string };
/** One insight sentence; `color` red when the move is bad news, else green. */
export type InsightLine = { text: string; color: string };
export type ReferralBlock = { participants: string; referred: string; shareRate: string; referralOrders: string; referralRevenue: string };

/** Everything the template shows. Every string is HTML-escaped; `subject` too (render.ts decodes it for the header). */
export type DigestView = {
  locale: Locale;
  lang: string;
  period: DigestPeriod;
  subject: string;
  preview: string;
  shopName: string;
  heading: string;
  periodLabel: string;
  /** Fixed words (labels, titles), escaped. */
  t: Record<string, string>;
  kpis: Record<KpiKey, KpiTile>;
  /** Which KPI rows have something to show. */
  kpiRow: Record<KpiRow, boolean>;
  approximate: string;
  /** The funnel's steps; empty (no section) when nobody was reached. */
  funnel: FunnelStep[];
  /** Whether the hour chart has a bar (no section otherwise). */
  hasReach: boolean;
  hours: HourBar[];
  hourLabels: Array<{ label: string }>;
  peak: string;
  hoursNote: string;
  topStaff: TopStaffLine[];
  chatStaff: ChatStaffLine[];
  chatStaffMore: string;
  salesStaff: SalesStaffLine[];
  salesStaffMore: string;
  ads: AdLine[];
  adsMore: string;
  referral: ReferralBlock | null;
  /** What changed and why (lib/insights/): '' and [] on an ordinary day, so the block is left out */
  insightsTitle: string;
  insightsNote: string;
  insights: InsightLine[];
  asOf: string;
  footer: string;
  unsubscribeUrl: string;
  unsubscribeLabel: string;
  /** signed link to the full report of the period ('' when report links are not configured) */
  reportUrl: string;
  reportLabel: string;
};

export type DigestInput = {
  shop: Shop;
  recipient: Recipient;
  period: DigestPeriod;
  overview: OverviewReport;
  staffChat: StaffChatReport;
  staffSales: StaffSalesReport;
  ads: AdsReport;
  referrals: ReferralsReport;
  unsubscribeUrl: string;
  reportUrl?: string;
  /** the period's insights, sentences already in the recipient's language (lib/reports/insights.ts) */
  insights?: ReadonlyArray<{ sentence: string; worse: boolean }>;
};

/** Rows per staff table; the rest are counted in a "and N more" line. */
export const MAX_STAFF_ROWS = 10;
export const MAX_TOP_STAFF = 5;
export const MAX_ADS = 5;
/** Tallest hour bar, in px. */
export const BAR_MAX_PX = 64;

export const COLORS = { good: '#047857', bad: '#b91c1c', neutral: '#4b5563', bar: '#2dd4bf', peak: '#0f766e' } as const;

/** A rise of these is bad news (shown red). */
const LOWER_IS_BETTER: ReadonlySet<KpiKey> = new Set(['ordersCancelled']);
const MONEY: ReadonlySet<KpiKey> = new Set(['revenue', 'grossProfit', 'deliveredRevenue']);

function kpiValue(key: KpiKey, t: Totals, currency: string, locale: Locale): string {
  const v = t[key];
  if (key === 'closeRate') return formatPercent(t.closeRate, locale);
  if (v === null) return '—';
  if (MONEY.has(key)) return formatMoney(v, currency, locale);
  return formatNumber(v, locale);
}

/** Gross profit's note: no cost known at all, or the share of orders it covers when below 1 (SPEC §3 costCoverage). */
function coverageNote(t: Pick<Totals, 'grossProfit' | 'costCoverage'>, s: DigestStrings, locale: Locale): string {
  if (t.costCoverage === null) return '';
  if (t.grossProfit === null) return s.noCostKnown;
  return t.costCoverage < 1 ? s.costCoverage(formatPercent(t.costCoverage, locale)) : '';
}

function kpiTiles(o: OverviewReport, s: DigestStrings, locale: Locale): Record<KpiKey, KpiTile> {
  const tiles = {} as Record<KpiKey, KpiTile>;
  for (const key of KPI_KEYS) {
    const change = formatChange(o.totals[key], o.previous[key], locale);
    const good = change.direction === 'up' ? !LOWER_IS_BETTER.has(key) : !!LOWER_IS_BETTER.has(key);
    const color = change.direction === 'up' || change.direction === 'down' ? (good ? COLORS.good : COLORS.bad) : COLORS.neutral;
    const value = kpiValue(key, o.totals, o.currency, locale);
    const note = key === 'grossProfit' ? coverageNote(o.totals, s, locale) : '';
    tiles[key] = { label: s.kpi[key], value, change: change.text, color, size: value.length <= 11 ? 20 : value.length <= 14 ? 17 : 15, note };
  }
  return tiles;
}

/** A figure with nothing to show: 0 or unknown now and in the previous period. */
const nothing = (o: OverviewReport, key: KpiKey) => !o.totals[key] && !o.previous[key];

function kpiRows(o: OverviewReport): Record<KpiRow, boolean> {
  const rows = {} as Record<KpiRow, boolean>;
  for (const [row, keys] of Object.entries(KPI_ROWS) as Array<[KpiRow, readonly KpiKey[]]>) rows[row] = keys.some((k) => !nothing(o, k));
  // the headline rows stay, so an empty day still says "0"
  rows.reach = true;
  rows.sales = true;
  return rows;
}

/**
 * The cohort funnel (SPEC §3): each stage a subset of the one before, so
 * the rate to the previous step never passes 100 %. No steps when nobody
 * was reached.
 */
function funnelSteps(o: OverviewReport, s: DigestStrings, locale: Locale): FunnelStep[] {
  if (o.funnel.reached === 0) return [];
  const steps: Array<[string, number]> = [
    [s.funnel.reached, o.funnel.reached],
    [s.funnel.cared, o.funnel.cared],
    [s.funnel.ordered, o.funnel.ordered],
    [s.funnel.delivered, o.funnel.delivered],
  ];
  const top = Math.max(1, ...steps.map(([, v]) => v));
  return steps.map(([label, v], i) => {
    const prev = i === 0 ? null : steps[i - 1]![1];
    return {
      label,
      value: formatNumber(v, locale),
      width: v > 0 ? Math.max(1, Math.round((v / top) * 100)) : 0,
      conversion: prev === null ? '' : formatPercent(prev === 0 ? null : v / prev, locale),
    };
  });
}

function hourBars(o: OverviewReport, locale: Locale): HourBar[] {
  const reach = Array.from({ length: 24 }, (_, h) => o.reachByHour[h] ?? 0);
  const max = Math.max(0, ...reach);
  return reach.map((v, hour) => ({
    hour,
    count: formatNumber(v, locale),
    title: `${formatHourSpan(hour)}: ${formatNumber(v, locale)}`,
    height: v > 0 ? Math.max(2, Math.round((v / max) * BAR_MAX_PX)) : 0,
    color: v === max ? COLORS.peak : COLORS.bar,
    bar: v > 0,
  }));
}

function staffName(row: { staffId: string; name: string }, s: DigestStrings): string {
  if (row.staffId === 'unknown') return s.unknownStaff;
  if (row.staffId === 'automated') return s.automated;
  return row.name || row.staffId;
}

function shiftLabel(name: string, s: DigestStrings): string {
  return s.shiftNames[name] ?? name;
}

/** Chat staff with activity, people first by replies, then `unknown`, then `automated`; median and P90 first, the SLA rate beside them. */
function chatLines(rows: ChatStaffRow[], shop: Shop, s: DigestStrings, locale: Locale): ChatStaffLine[] {
  const rank = (r: ChatStaffRow) => (r.staffId === 'automated' ? 2 : r.staffId === 'unknown' ? 1 : 0);
  const order = shop.shifts.map((sh) => sh.name);
  return rows
    .filter((r) => r.messageReplies + r.commentReplies + r.missedConversations > 0)
    .sort((a, b) => rank(a) - rank(b) || b.messageReplies + b.commentReplies - (a.messageReplies + a.commentReplies) || a.name.localeCompare(b.name))
    .map((r) => {
      const names = [...order.filter((n) => n in r.missedByShift), ...Object.keys(r.missedByShift).filter((n) => !order.includes(n))];
      const shifts = (names.length ? names : order).map((n) => `${shiftLabel(n, s)} ${formatNumber(r.missedByShift[n] ?? 0, locale)}`).join(' · ');
      return {
        name: staffName(r, s),
        median: formatDuration(r.responseTimeMedianSeconds, locale),
        p90: formatDuration(r.responseTimeP90Seconds, locale),
        avg: formatDuration(r.responseTimeAvgSeconds, locale),
        slaRate: formatPercent(r.slaMetRate, locale),
        messageReplies: formatNumber(r.messageReplies, locale),
        commentReplies: formatNumber(r.commentReplies, locale),
        missed: formatNumber(r.missedConversations, locale),
        missedByShift: r.staffId === 'automated' || r.missedConversations === 0 ? '' : shifts,
        sla: slaText(r, order, s, locale),
      };
    });
}

/** "50% (sáng 0% · tối 100%)": waits answered within the SLA, then per shift that had closed waits; '' without closed waits. */
function slaText(r: ChatStaffRow, order: string[], s: DigestStrings, locale: Locale): string {
  if (r.slaMetRate === null || r.slaMetRate === undefined) return '';
  const byShift = r.slaMetRateByShift ?? {};
  const names = [...order.filter((n) => byShift[n] != null), ...Object.keys(byShift).filter((n) => !order.includes(n) && byShift[n] != null)];
  const parts = names.map((n) => `${shiftLabel(n, s)} ${formatPercent(byShift[n], locale)}`);
  return parts.length > 1 ? `${formatPercent(r.slaMetRate, locale)} (${parts.join(' · ')})` : formatPercent(r.slaMetRate, locale);
}

function salesLines(rows: SalesStaffRow[], currency: string, s: DigestStrings, locale: Locale): SalesStaffLine[] {
  return rows
    .filter((r) => r.ordersCreated + r.customersCared > 0)
    .sort((a, b) => b.revenue - a.revenue || b.orders - a.orders || a.name.localeCompare(b.name))
    .map((r) => ({
      name: staffName(r, s),
      ordersCreated: formatNumber(r.ordersCreated, locale),
      orders: formatNumber(r.orders, locale),
      revenue: formatMoney(r.revenue, currency, locale),
      grossProfit: r.grossProfit === null ? '—' : formatMoney(r.grossProfit, currency, locale),
      coverage: coverageNote(r, s, locale),
      conversionRate: formatPercent(r.conversionRate, locale),
    }));
}

/** Ads with activity by revenue; a name wherever one is known, never a bare id beside it (SPEC §3 Ads). */
function adLines(rows: AdRow[], currency: string, s: DigestStrings, locale: Locale): AdLine[] {
  return rows
    .filter((a) => a.spend > 0 || a.conversationsStarted > 0 || a.ordersCreated > 0)
    .sort((a, b) => b.revenue - a.revenue || (b.roas ?? -1) - (a.roas ?? -1) || b.spend - a.spend)
    .map((a) => ({
      name: a.adName ?? `${s.ad} ${a.adId}`,
      campaign: a.campaignName ?? a.campaignId ?? '',
      spend: formatMoney(a.spend, currency, locale),
      revenue: formatMoney(a.revenue, currency, locale),
      roas: formatMultiple(a.roas, locale),
      orders: formatNumber(a.orders, locale),
      costPerOrder: a.costPerOrder === null ? '—' : formatMoney(a.costPerOrder, currency, locale),
      costPerConversation: a.costPerConversation === null ? '—' : formatMoney(a.costPerConversation, currency, locale),
    }));
}

function referralBlock(r: ReferralsReport, currency: string, locale: Locale): ReferralBlock | null {
  const sum = { participants: 0, referred: 0, sharers: 0, referralOrders: 0, referralRevenue: 0 };
  for (const row of r.rows) {
    sum.participants += row.participants;
    sum.referred += row.referred;
    sum.sharers += row.sharers;
    sum.referralOrders += row.referralOrders;
    sum.referralRevenue += row.referralRevenue;
  }
  if (Object.values(sum).every((v) => v === 0)) return null;
  return {
    participants: formatNumber(sum.participants, locale),
    referred: formatNumber(sum.referred, locale),
    shareRate: formatPercent(sum.participants ? sum.sharers / sum.participants : null, locale),
    referralOrders: formatNumber(sum.referralOrders, locale),
    referralRevenue: formatMoney(sum.referralRevenue, currency, locale),
  };
}

function insightsBlock(insights: ReadonlyArray<{ sentence: string; worse: boolean }>, period: DigestPeriod, locale: Locale): Pick<DigestView, 'insightsTitle' | 'insightsNote' | 'insights'> {
  if (insights.length === 0) return { insightsTitle: '', insightsNote: '', insights: [] };
  const h = insightsHeading(period, locale);
  return { insightsTitle: h.title, insightsNote: h.note, insights: insights.map((i) => ({ text: i.sentence, color: i.worse ? COLORS.bad : COLORS.good })) };
}

function limit<T>(rows: T[], max: number, s: DigestStrings): [T[], string] {
  return rows.length > max ? [rows.slice(0, max), s.more(rows.length - max)] : [rows, ''];
}

/** Escapes every string in a plain data tree (numbers, booleans and null pass through). */
function escapeDeep<T>(value: T): T {
  if (typeof value === 'string') return escapeHtml(value) as T;
  if (Array.isArray(value)) return value.map(escapeDeep) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDeep(v)])) as T;
  }
  return value;
}

/**
 * Builds the view of one digest email for one recipient: locale
 * `recipient.locale ?? shop.locale`, money in the report's currency, times in
 * the report's zone, and all text HTML-escaped.
 */
export function buildDigestView(input: DigestInput): DigestView {
  const { shop, recipient, period, overview: o } = input;
  const locale: Locale = recipient.locale ?? shop.locale;
  const s = strings(locale);
  const currency = o.currency || shop.currency;
  const timezone = o.timezone || shop.timezone;

  const dayLabel = o.from === o.to ? formatDay(o.from, locale) : formatDayRange(o.from, o.to, locale);
  const shortLabel = o.from === o.to ? formatShortDay(o.from, locale) : formatDayRange(o.from, o.to, locale);
  const headingWord = period === 'daily' ? s.headingDaily : s.headingWeekly;
  const revenue = formatMoney(o.totals.revenue, currency, locale);
  const orders = formatNumber(o.totals.orders, locale);
  const subject = `${shop.name} · ${headingWord} ${shortLabel}: ${revenue} ${s.subjectRevenue}, ${orders} ${s.subjectOrders}`;

  const kpis = kpiTiles(o, s, locale);
  const hours = hourBars(o, locale);
  const maxReach = Math.max(0, ...o.reachByHour);
  const peakHour = o.reachByHour.indexOf(maxReach);
  const [chatStaff, chatStaffMore] = limit(chatLines(input.staffChat.rows, shop, s, locale), MAX_STAFF_ROWS, s);
  const [salesStaff, salesStaffMore] = limit(salesLines(input.staffSales.rows, currency, s, locale), MAX_STAFF_ROWS, s);
  const [ads, adsMore] = limit(adLines(input.ads.rows, currency, s, locale), MAX_ADS, s);
  const approximate = [o, input.staffChat, input.staffSales, input.ads, input.referrals].some((r) => r.approximate);

  const view: DigestView = {
    locale,
    lang: s.lang,
    period,
    subject,
    preview: `${s.kpi.customersReached}: ${kpis.customersReached.value} · ${s.kpi.orders}: ${orders} · ${s.kpi.revenue}: ${revenue}`,
    shopName: shop.name,
    heading: `${headingWord} · ${dayLabel}`,
    periodLabel: dayLabel,
    t: {
      kpiTitle: s.kpiTitle,
      vsPrevious: s.vsPrevious[period],
      funnelTitle: s.funnelTitle,
      funnelNote: s.funnelNote,
      conversion: s.conversion,
      ofPreviousStep: s.ofPreviousStep,
      hoursTitle: s.hoursTitle,
      noReach: s.noReach,
      topStaffTitle: s.topStaffTitle,
      chatStaffTitle: s.chatStaffTitle,
      salesStaffTitle: s.salesStaffTitle,
      adsTitle: s.adsTitle,
      referralTitle: s.referralTitle,
      staff: s.staff,
      customersCared: s.customersCared,
      revenue: s.revenue,
      conversionRate: s.conversionRate,
      avgResponse: s.avgResponse,
      medianResponse: s.medianResponse,
      p90Response: s.p90Response,
      messageReplies: s.messageReplies,
      commentReplies: s.commentReplies,
      missed: s.missed,
      missedByShift: s.missedByShift,
      slaMet: s.slaMet(formatNumber(shop.responseSlaMinutes, locale)),
      ordersCreated: s.ordersCreated,
      orders: s.orders,
      grossProfit: s.grossProfit,
      ad: s.ad,
      campaign: s.campaign,
      spend: s.spend,
      roas: s.roas,
      costPerOrder: s.costPerOrder,
      costPerConversation: s.costPerConversation,
      participants: s.participants,
      referred: s.referred,
      shareRate: s.shareRate,
      referralOrders: s.referralOrders,
      referralRevenue: s.referralRevenue,
      noData: s.noData,
    },
    kpis,
    kpiRow: kpiRows(o),
    approximate: approximate ? s.approximate : '',
    funnel: funnelSteps(o, s, locale),
    hasReach: maxReach > 0,
    hours,
    hourLabels: [0, 3, 6, 9, 12, 15, 18, 21].map((h) => ({ label: String(h) })),
    peak: maxReach > 0 ? s.peak(formatHourSpan(peakHour), formatNumber(maxReach, locale)) : s.noReach,
    hoursNote: s.hoursNote(zoneLabel(new Date(`${o.from}T12:00:00Z`), timezone)),
    topStaff: o.topStaff.slice(0, MAX_TOP_STAFF).map((t, i) => ({
      rank: String(i + 1),
      name: staffName(t, s),
      customersCared: formatNumber(t.customersCared, locale),
      revenue: formatMoney(t.revenue, currency, locale),
      conversionRate: formatPercent(t.conversionRate, locale),
    })),
    chatStaff,
    chatStaffMore,
    salesStaff,
    salesStaffMore,
    ads,
    adsMore,
    referral: referralBlock(input.referrals, currency, locale),
    ...insightsBlock(input.insights ?? [], period, locale),
    asOf: s.asOf(formatInstant(o.generatedAt, timezone, locale)),
    footer: s.footer(shop.name, period),
    unsubscribeUrl: input.unsubscribeUrl,
    unsubscribeLabel: s.unsubscribe[period],
    reportUrl: input.reportUrl ?? '',
    reportLabel: s.fullReport,
  };
  return escapeDeep(view);
}
