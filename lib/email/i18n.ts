import type { Locale } from '#lib/shops/schema.ts';
import { localParts } from '#lib/time/zone.ts';

/**
 * Everything locale-dependent in a digest: the words, and the formatting of
 * money, counts, rates, changes, durations and dates. Formatting uses Intl
 * only (no dependency); formatters are cached per locale and currency, since
 * building an Intl formatter costs far more than using one.
 */

export type DigestPeriod = 'daily' | 'weekly';

/** The words of a digest in one locale. Shift names other than the defaults are shown as the shop typed them. */
export type DigestStrings = {
  lang: string;
  headingDaily: string;
  headingWeekly: string;
  subjectRevenue: string;
  subjectOrders: string;
  kpiTitle: string;
  vsPrevious: Record<DigestPeriod, string>;
  kpi: {
    customersReached: string;
    customersCared: string;
    newCustomers: string;
    orders: string;
    revenue: string;
    deliveries: string;
    deliveredRevenue: string;
    closeRate: string;
    grossProfit: string;
    ordersCancelled: string;
  };
  /** Beside gross profit: no cost known at all, or the share of orders whose cost is known. */
  noCostKnown: string;
  costCoverage: (pct: string) => string;
  funnelNote: string;
  noPrevious: string;
  approximate: string;
  funnelTitle: string;
  funnel: { reached: string; cared: string; ordered: string; delivered: string };
  conversion: string;
  ofPreviousStep: string;
  hoursTitle: string;
  hoursNote: (zone: string) => string;
  peak: (hours: string, count: string) => string;
  noReach: string;
  topStaffTitle: string;
  chatStaffTitle: string;
  salesStaffTitle: string;
  adsTitle: string;
  referralTitle: string;
  staff: string;
  customersCared: string;
  revenue: string;
  conversionRate: string;
  avgResponse: string;
  medianResponse: string;
  p90Response: string;
  messageReplies: string;
  commentReplies: string;
  missed: string;
  missedByShift: string;
  /** Label of the SLA rate: the share of waits answered within `responseSlaMinutes` working minutes. */
  slaMet: (minutes: string) => string;
  fullReport: string;
  ordersCreated: string;
  orders: string;
  grossProfit: string;
  ad: string;
  campaign: string;
  spend: string;
  roas: string;
  costPerOrder: string;
  costPerConversation: string;
  participants: string;
  referred: string;
  shareRate: string;
  referralOrders: string;
  referralRevenue: string;
  unknownStaff: string;
  automated: string;
  noData: string;
  more: (n: number) => string;
  shiftNames: Record<string, string>;
  asOf: (when: string) => string;
  footer: (shop: string, period: DigestPeriod) => string;
  unsubscribe: Record<DigestPeriod, string>;
  duration: { day: string; hour: string; minute: string; second: string; sep: string };
};

const VI: DigestStrings = {
  lang: 'vi',
  headingDaily: 'Báo cáo ngày',
  headingWeekly: 'Báo cáo tuần',
  subjectRevenue: 'doanh thu',
  subjectOrders: 'đơn',
  kpiTitle: 'Chỉ số chính',
  vsPrevious: { daily: 'So với hôm trước', weekly: 'So với tuần trước' },
  kpi: {
    customersReached: 'Khách tiếp cận',
    customersCared: 'Khách được chăm sóc',
    newCustomers: 'Khách hàng mới',
    orders: 'Đơn hàng',
    revenue: 'Doanh thu',
    deliveries: 'Đơn giao thành công',
    deliveredRevenue: 'Tiền hàng đã giao',
    closeRate: 'Tỉ lệ chốt đơn',
    grossProfit: 'Lợi nhuận gộp',
    ordersCancelled: 'Đơn hủy',
  },
  noCostKnown: 'Chưa có giá vốn',
  costCoverage: (pct) => `trên ${pct} đơn có giá vốn`,
  funnelNote: 'Số khách; mỗi bước là một phần khách của bước trước, trong cùng kỳ.',
  noPrevious: '—',
  approximate: 'Một số số khách là ước tính (giới hạn trên).',
  funnelTitle: 'Phễu khách hàng',
  funnel: { reached: 'Khách tiếp cận', cared: 'Khách được trả lời', ordered: 'Khách đặt hàng', delivered: 'Khách nhận hàng' },
  conversion: '% bước trước',
  ofPreviousStep: 'so với bước trước',
  hoursTitle: 'Khách tiếp cận theo giờ',
  hoursNote: (zone) => `Giờ trong ngày (${zone}); mỗi khách tính ở giờ đầu tiên nhắn tin hoặc bình luận trong ngày.`,
  peak: (hours, count) => `Cao điểm: ${hours} (${count} khách)`,
  noReach: 'Chưa có khách nào nhắn tin hoặc bình luận.',
  topStaffTitle: 'Nhân viên nổi bật',
  chatStaffTitle: 'Nhân viên chat',
  salesStaffTitle: 'Nhân viên bán hàng',
  adsTitle: 'Quảng cáo hiệu quả nhất',
  referralTitle: 'Chương trình giới thiệu',
  staff: 'Nhân viên',
  customersCared: 'Khách chăm sóc',
  revenue: 'Doanh thu',
  conversionRate: 'Khách mua / chăm sóc',
  avgResponse: 'TB',
  medianResponse: 'Trung vị',
  p90Response: 'P90',
  messageReplies: 'Trả lời tin nhắn',
  commentReplies: 'Trả lời bình luận',
  missed: 'Bỏ lỡ',
  missedByShift: 'Bỏ lỡ theo ca',
  slaMet: (m) => `Trả lời trong ${m} phút`,
  fullReport: 'Xem báo cáo đầy đủ của kỳ này',
  ordersCreated: 'Đơn tạo',
  orders: 'Đơn',
  grossProfit: 'Lợi nhuận',
  ad: 'Quảng cáo',
  campaign: 'chiến dịch',
  spend: 'Chi phí',
  roas: 'ROAS',
  costPerOrder: 'Chi phí/đơn',
  costPerConversation: 'Giá tin nhắn',
  participants: 'Người tham gia',
  referred: 'Khách mới được giới thiệu',
  shareRate: 'Tỉ lệ chia sẻ',
  referralOrders: 'Đơn có mã giới thiệu',
  referralRevenue: 'Doanh thu giới thiệu',
  unknownStaff: 'Chưa rõ nhân viên',
  automated: 'Trả lời tự động',
  noData: 'Không có dữ liệu trong kỳ này.',
  more: (n) => `và ${n} dòng khác (xem báo cáo đầy đủ trên ứng dụng)`,
  shiftNames: { morning: 'sáng', afternoon: 'chiều', evening: 'tối', night: 'đêm', other: 'ngoài ca' },
  asOf: (when) => `Số liệu tính đến ${when}`,
  footer: (shop, period) => `Bạn nhận email này vì đã đăng ký báo cáo ${period === 'daily' ? 'hằng ngày' : 'hằng tuần'} của ${shop}.`,
  unsubscribe: { daily: 'Hủy nhận báo cáo ngày', weekly: 'Hủy nhận báo cáo tuần' },
  duration: { day: ' ngày', hour: ' giờ', minute: ' phút', second: ' giây', sep: ' ' },
};

const EN: DigestStrings = {
  lang: 'en',
  headingDaily: 'Daily report',
  headingWeekly: 'Weekly report',
  subjectRevenue: 'revenue',
  subjectOrders: 'orders',
  kpiTitle: 'Key figures',
  vsPrevious: { daily: 'Compared with the previous day', weekly: 'Compared with the previous week' },
  kpi: {
    customersReached: 'Customers reached',
    customersCared: 'Customers cared',
    newCustomers: 'New customers',
    orders: 'Orders',
    revenue: 'Revenue',
    deliveries: 'Deliveries',
    deliveredRevenue: 'Delivered value',
    closeRate: 'Close rate',
    grossProfit: 'Gross profit',
    ordersCancelled: 'Cancelled orders',
  },
  noCostKnown: 'No cost of goods known',
  costCoverage: (pct) => `over the ${pct} of orders with a known cost`,
  funnelNote: 'Customers; each stage is part of the one before, in the same period.',
  noPrevious: '—',
  approximate: 'Some customer counts are estimates (upper bounds).',
  funnelTitle: 'Customer funnel',
  funnel: { reached: 'Customers reached', cared: 'Replied to', ordered: 'Ordered', delivered: 'Received their order' },
  conversion: '% of previous',
  ofPreviousStep: 'of previous step',
  hoursTitle: 'Customers reached by hour',
  hoursNote: (zone) => `Hour of day (${zone}); each customer counts at the hour of their first message or comment of the day.`,
  peak: (hours, count) => `Peak: ${hours} (${count} customers)`,
  noReach: 'No customer messaged or commented.',
  topStaffTitle: 'Top staff',
  chatStaffTitle: 'Chat staff',
  salesStaffTitle: 'Sales staff',
  adsTitle: 'Top ads',
  referralTitle: 'Referral programme',
  staff: 'Staff',
  customersCared: 'Customers cared',
  revenue: 'Revenue',
  conversionRate: 'Buyers / cared',
  avgResponse: 'Avg',
  medianResponse: 'Median',
  p90Response: 'P90',
  messageReplies: 'Message replies',
  commentReplies: 'Comment replies',
  missed: 'Missed',
  missedByShift: 'Missed by shift',
  slaMet: (m) => `Answered within ${m} min`,
  fullReport: 'Open the full report of this period',
  ordersCreated: 'Orders created',
  orders: 'Orders',
  grossProfit: 'Gross profit',
  ad: 'Ad',
  campaign: 'campaign',
  spend: 'Spend',
  roas: 'ROAS',
  costPerOrder: 'Cost/order',
  costPerConversation: 'Cost/conversation',
  participants: 'Participants',
  referred: 'New customers referred',
  shareRate: 'Share rate',
  referralOrders: 'Orders with a referral code',
  referralRevenue: 'Referral revenue',
  unknownStaff: 'Unknown staff',
  automated: 'Automated replies',
  noData: 'No data for this period.',
  more: (n) => `and ${n} more (see the full report in the app)`,
  shiftNames: { other: 'outside shifts' },
  asOf: (when) => `Figures as of ${when}`,
  footer: (shop, period) => `You receive this email because you subscribed to ${shop}'s ${period} report.`,
  unsubscribe: { daily: 'Unsubscribe from the daily report', weekly: 'Unsubscribe from the weekly report' },
  duration: { day: 'd', hour: 'h', minute: 'm', second: 's', sep: ' ' },
};

const STRINGS: Record<Locale, DigestStrings> = { 'vi-VN': VI, en: EN };

/** The digest's words in `locale`. */
export function strings(locale: Locale): DigestStrings {
  return STRINGS[locale];
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function nf(locale: Locale, key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const k = `${locale}|${key}`;
  let f = numberFormats.get(k);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    numberFormats.set(k, f);
  }
  return f;
}

/**
 * Money in major units of any ISO-4217 currency, with the currency's own
 * fraction digits: VND 1250000 → "1.250.000 ₫" (vi-VN), "₫1,250,000" (en).
 * Intl's no-break spaces become plain spaces (what people type and search
 * for); the HTML keeps amounts on one line with `white-space:nowrap`.
 */
export function formatMoney(amount: number, currency: string, locale: Locale): string {
  return plain(nf(locale, `cur:${currency}`, { style: 'currency', currency }).format(amount));
}

const plain = (s: string) => s.replace(/[\u00a0\u2009\u202f]/g, ' ');

/** A count: 12345 → "12.345" (vi-VN), "12,345" (en). */
export function formatNumber(n: number, locale: Locale): string {
  return nf(locale, 'int', { maximumFractionDigits: 0 }).format(n);
}

/** A rate given as a fraction, at most one decimal: 0.285 → "28,5%" / "28.5%"; null → "—". */
export function formatPercent(fraction: number | null | undefined, locale: Locale): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return plain(nf(locale, 'pct', { style: 'percent', maximumFractionDigits: 1 }).format(fraction));
}

/** Return on ad spend as a multiple: 3.25 → "3,25x" / "3.25x"; null → "—". */
export function formatMultiple(x: number | null | undefined, locale: Locale): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${nf(locale, 'mult', { maximumFractionDigits: 2 }).format(x)}x`;
}

export type Change = { direction: 'up' | 'down' | 'flat' | 'none'; text: string };

/**
 * Change of `current` against `previous`, as "▲ 25%" / "▼ 10%" / "0%",
 * relative to |previous|; "—" when there is no previous value (0 or null),
 * since a ratio to nothing means nothing. Under 10 % shows one decimal.
 */
export function formatChange(current: number | null, previous: number | null, locale: Locale): Change {
  if (current === null || previous === null || previous === 0 || !Number.isFinite(previous)) return { direction: 'none', text: '—' };
  const ratio = (current - previous) / Math.abs(previous);
  const abs = Math.abs(ratio);
  const digits = abs < 0.1 ? 1 : 0;
  const pct = nf(locale, `chg${digits}`, { style: 'percent', maximumFractionDigits: digits });
  const text = plain(pct.format(abs));
  if (text === plain(pct.format(0))) return { direction: 'flat', text };
  return ratio > 0 ? { direction: 'up', text: `▲ ${text}` } : { direction: 'down', text: `▼ ${text}` };
}

/**
 * A duration in whole seconds, two largest units at most:
 * 125 → "2 phút 5 giây" / "2m 5s", 3900 → "1 giờ 5 phút" / "1h 5m",
 * 45 → "45 giây" / "45s"; null → "—".
 */
export function formatDuration(seconds: number | null | undefined, locale: Locale): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const u = STRINGS[locale].duration;
  const total = Math.round(seconds);
  const units: Array<[number, string]> = [
    [86_400, u.day],
    [3_600, u.hour],
    [60, u.minute],
    [1, u.second],
  ];
  const parts: string[] = [];
  let rest = total;
  for (const [size, label] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${label}`);
    if (parts.length === 2) break;
  }
  const shown = parts.filter((p, i) => i === 0 || !p.startsWith('0'));
  return shown.length ? shown.join(u.sep) : `0${u.second}`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function df(key: string, locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, f);
  }
  return f;
}

/** A calendar day `YYYY-MM-DD` (already in the shop's zone) as a Date at UTC midnight, to format with timeZone UTC. */
function dayAsUtc(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
}

/** A report day, with its weekday: "Chủ Nhật, 22/11/2026" / "Sun, Nov 22, 2026". */
export function formatDay(day: string, locale: Locale): string {
  const options: Intl.DateTimeFormatOptions =
    locale === 'vi-VN'
      ? { timeZone: 'UTC', weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric' }
      : { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };
  return df(`day|${locale}`, locale, options).format(dayAsUtc(day));
}

/** A report day without its weekday, for subjects: "22/11/2026" / "Nov 22, 2026". */
export function formatShortDay(day: string, locale: Locale): string {
  if (locale === 'vi-VN') return day.split('-').reverse().join('/');
  return df(`short|${locale}`, locale, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(dayAsUtc(day));
}

/** A range of report days: "16/11 – 22/11/2026" / "Nov 16 – 22, 2026". */
export function formatDayRange(from: string, to: string, locale: Locale): string {
  if (from === to) return formatDay(from, locale);
  if (locale === 'vi-VN') {
    const [fy, fm, fd] = from.split('-');
    const [ty, tm, td] = to.split('-');
    return fy === ty ? `${fd}/${fm} – ${td}/${tm}/${ty}` : `${fd}/${fm}/${fy} – ${td}/${tm}/${ty}`;
  }
  const f = df(`range|${locale}`, locale, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
  return plain(f.formatRange(dayAsUtc(from), dayAsUtc(to)));
}

/** The short UTC offset of `timeZone` at `at`, e.g. "GMT+7". */
export function zoneLabel(at: Date, timeZone: string): string {
  const parts = df(`zone|${timeZone}`, 'en', { timeZone, timeZoneName: 'shortOffset' }).formatToParts(at);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/**
 * An instant as wall-clock time in the shop's zone, with the offset:
 * "08:00 23/11/2026 (GMT+7)" (vi-VN), "Nov 23, 2026, 08:00 (GMT+7)" (en).
 */
export function formatInstant(iso: string, timeZone: string, locale: Locale): string {
  const at = new Date(iso);
  const p = localParts(at.getTime(), timeZone);
  const [y, m, d] = p.date.split('-');
  const time = `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  const zone = zoneLabel(at, timeZone);
  if (locale === 'vi-VN') return `${time} ${d}/${m}/${y} (${zone})`;
  const day = df('inst-en-day', 'en', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(dayAsUtc(p.date));
  return `${day}, ${time} (${zone})`;
}

/** An hour-of-day span: 20 → "20:00–21:00". */
export function formatHourSpan(hour: number): string {
  const pad = (h: number) => String(h).padStart(2, '0');
  return `${pad(hour)}:00–${pad((hour + 1) % 24)}:00`;
}
