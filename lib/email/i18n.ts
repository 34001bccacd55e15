import type { Locale } from '#lib/shops/schema.ts';

/** Strings of the digest in each locale. */
export const STRINGS = {
  'vi-VN': {
    daily: 'Báo cáo ngày',
    weekly: 'Báo cáo tuần',
    subjectDaily: (shop: string, period: string) => `${shop} · Báo cáo ngày ${period}`,
    subjectWeekly: (shop: string, period: string) => `${shop} · Báo cáo tuần ${period}`,
    kpiTitle: 'Chỉ số chính',
    kpiNote: (prev: string) => `So với ${prev}`,
    prevDaily: 'hôm trước',
    prevWeekly: 'tuần trước',
    kpis: {
      customersReached: 'KH tiếp cận',
      customersCared: 'KH chăm sóc',
      newCustomers: 'Khách hàng mới',
      orders: 'Đơn hàng',
      revenue: 'Doanh thu',
      closeRate: 'Tỉ lệ chốt đơn',
      grossProfit: 'Lợi nhuận',
      ordersCancelled: 'Đơn hàng hủy',
    },
    funnelTitle: 'Phễu khách hàng',
    funnel: { reached: 'Tiếp cận', cared: 'Được chăm sóc', ordered: 'Đặt hàng', delivered: 'Nhận hàng' },
    hoursTitle: 'Khách tiếp cận theo giờ',
    hoursNote: (peak: string) => `Giờ cao điểm: ${peak}`,
    topStaffTitle: 'Nhân viên nổi bật',
    chatStaffTitle: 'Nhân viên chăm sóc',
    salesStaffTitle: 'Nhân viên bán hàng',
    adsTitle: 'Quảng cáo hiệu quả nhất',
    referralTitle: 'Chương trình giới thiệu',
    cols: {
      staff: 'Nhân viên',
      avg: 'TB phản hồi',
      p90: 'P90',
      replies: 'Trả lời',
      missed: 'Bỏ lỡ',
      customers: 'KH',
      orders: 'Đơn',
      revenue: 'Doanh thu',
      conversion: 'Chuyển đổi',
      ad: 'Quảng cáo',
      spend: 'Chi phí',
      roas: 'ROAS',
      participants: 'Tham gia',
      referred: 'Được giới thiệu',
      shareRate: 'Tỉ lệ chia sẻ',
    },
    none: 'Chưa có dữ liệu',
    asOf: (t: string) => `Số liệu tính đến ${t}.`,
    footer: (shop: string) => `Bạn nhận email này vì là người nhận báo cáo của ${shop}.`,
    unsubscribe: 'Hủy đăng ký',
    duration: (s: number) => {
      if (s < 60) return `${s} giây`;
      const m = Math.floor(s / 60);
      if (m < 60) return s % 60 ? `${m} phút ${s % 60} giây` : `${m} phút`;
      const h = Math.floor(m / 60);
      return m % 60 ? `${h} giờ ${m % 60} phút` : `${h} giờ`;
    },
  },
  en: {
    daily: 'Daily report',
    weekly: 'Weekly report',
    subjectDaily: (shop: string, period: string) => `${shop} · Daily report ${period}`,
    subjectWeekly: (shop: string, period: string) => `${shop} · Weekly report ${period}`,
    kpiTitle: 'Key figures',
    kpiNote: (prev: string) => `Compared with ${prev}`,
    prevDaily: 'the day before',
    prevWeekly: 'the week before',
    kpis: {
      customersReached: 'Customers reached',
      customersCared: 'Customers cared for',
      newCustomers: 'New customers',
      orders: 'Orders',
      revenue: 'Revenue',
      closeRate: 'Close rate',
      grossProfit: 'Gross profit',
      ordersCancelled: 'Cancelled orders',
    },
    funnelTitle: 'Customer funnel',
    funnel: { reached: 'Reached', cared: 'Cared for', ordered: 'Ordered', delivered: 'Delivered' },
    hoursTitle: 'Customers reached by hour',
    hoursNote: (peak: string) => `Busiest hour: ${peak}`,
    topStaffTitle: 'Top staff',
    chatStaffTitle: 'Chat staff',
    salesStaffTitle: 'Sales staff',
    adsTitle: 'Top ads',
    referralTitle: 'Referral programme',
    cols: {
      staff: 'Staff',
      avg: 'Avg reply',
      p90: 'P90',
      replies: 'Replies',
      missed: 'Missed',
      customers: 'Customers',
      orders: 'Orders',
      revenue: 'Revenue',
      conversion: 'Conversion',
      ad: 'Ad',
      spend: 'Spend',
      roas: 'ROAS',
      participants: 'Participants',
      referred: 'Referred',
      shareRate: 'Share rate',
    },
    none: 'No data yet',
    asOf: (t: string) => `Figures as of ${t}.`,
    footer: (shop: string) => `You receive this email as a report recipient of ${shop}.`,
    unsubscribe: 'Unsubscribe',
    duration: (s: number) => {
      if (s < 60) return `${s}s`;
      const m = Math.floor(s / 60);
      if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
      const h = Math.floor(m / 60);
      return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
    },
  },
} as const;

export type Strings = (typeof STRINGS)[Locale];

/** Number and money formatting for a locale and currency (e.g. 1.250.000 ₫ in vi-VN). */
export function formatters(locale: Locale, currency: string, timeZone: string) {
  const tag = locale === 'vi-VN' ? 'vi-VN' : 'en-GB';
  const num = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
  const money = new Intl.NumberFormat(tag, { style: 'currency', currency });
  const pct = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 1 });
  const dateTime = new Intl.DateTimeFormat(tag, { timeZone, hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric', hourCycle: 'h23' });
  return {
    number: (n: number) => num.format(n),
    money: (n: number) => money.format(n).replace(/\u00a0/g, ' '),
    percent: (n: number | null) => (n === null ? '—' : pct.format(n).replace(/\u00a0/g, ' ')),
    dateTime: (ms: number) => dateTime.format(new Date(ms)).replace(',', ''),
    /** ▲ 25% / ▼ 10% against the previous period; — when it was 0. */
    change: (cur: number, prev: number): { text: string; dir: 'up' | 'down' | 'flat' } => {
      if (prev === 0) return { text: '—', dir: 'flat' };
      const c = (cur - prev) / Math.abs(prev);
      if (c === 0) return { text: '= 0%', dir: 'flat' };
      return { text: `${c > 0 ? '▲' : '▼'} ${pct.format(Math.abs(c)).replace(/\u00a0/g, ' ')}`, dir: c > 0 ? 'up' : 'down' };
    },
  };
}

/** Escapes text for HTML before it meets the template (MJML drops a bare `<`). */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
