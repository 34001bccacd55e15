import type { Locale } from '#lib/shops/schema.ts';
import { formatDuration, formatMoney, formatMultiple, formatNumber, formatPercent, strings } from '#lib/email/i18n.ts';
import type { Dimension, FigureKey, Unit } from '#lib/insights/figures.ts';
import type { Insight, Place } from '#lib/insights/detect.ts';

/**
 * One insight as one sentence in the reader's language, with its evidence:
 * the figure, how far from usual, the figure now against its usual value,
 * then where it moved.
 *
 *   vi "Khách bị bỏ lỡ cao gấp 3 lần thường lệ (40 so với 13): 34 trong ca tối (thường lệ 8), phần lớn ở trang Hoa Mai Livestream"
 *   en "Missed conversations 3× usual (40 vs 13): 34 in the evening shift (usually 8), mostly on page Hoa Mai Livestream"
 */

const NAMES: Record<FigureKey, Record<Locale, string>> = {
  customersReached: { 'vi-VN': 'Khách tiếp cận', en: 'Customers reached' },
  orders: { 'vi-VN': 'Đơn hàng', en: 'Orders' },
  revenue: { 'vi-VN': 'Doanh thu', en: 'Revenue' },
  ordersCancelled: { 'vi-VN': 'Đơn hủy', en: 'Cancelled orders' },
  responseTimeMedianSeconds: { 'vi-VN': 'Thời gian phản hồi trung vị', en: 'Median response time' },
  missedConversations: { 'vi-VN': 'Khách bị bỏ lỡ', en: 'Missed conversations' },
  slaMetRate: { 'vi-VN': 'Tỉ lệ trả lời đúng hạn', en: 'Replies within the SLA' },
  costPerConversation: { 'vi-VN': 'Giá mỗi hội thoại từ quảng cáo', en: 'Cost per ad conversation' },
  roas: { 'vi-VN': 'ROAS của quảng cáo', en: 'ROAS of ad' },
};

const CHANNELS: Record<string, string> = { facebook: 'Facebook', instagram: 'Instagram', zalo: 'Zalo' };

/**
 * A figure's value as a reader reads it (money in major units), formatted by
 * the same functions as the digest's tables and tiles (lib/email/i18n.ts),
 * so an insight never shows a figure differently from the rest of the email
 * ("0,5x", "1.000.000 ₫", "92,5%").
 */
export function formatFigure(unit: Unit, v: number, currency: string, locale: Locale): string {
  switch (unit) {
    case 'money':
    case 'moneyPer':
      return formatMoney(v, currency, locale);
    case 'rate':
      return formatPercent(v, locale);
    case 'seconds':
      return formatDuration(v, locale);
    case 'multiple':
      return formatMultiple(v, locale);
    default:
      return formatNumber(Math.round(v), locale);
  }
}

/** "in the evening shift" / "trong ca tối", "on page X" / "ở trang X", … */
export function placePhrase(dimension: Dimension, id: string, name: string, locale: Locale): string {
  const vi = locale === 'vi-VN';
  const s = strings(locale);
  switch (dimension) {
    case 'page':
      return vi ? `ở trang ${name}` : `on page ${name}`;
    case 'channel':
      return vi ? `trên ${CHANNELS[id] ?? id}` : `on ${CHANNELS[id] ?? id}`;
    case 'shift':
      if (id === 'other') return vi ? 'ngoài các ca' : 'outside the shifts';
      return vi ? `trong ca ${s.shiftNames[id] ?? id}` : `in the ${s.shiftNames[id] ?? id} shift`;
    case 'staff':
      if (id === 'unknown') return vi ? 'ở nhân viên chưa rõ' : 'with unknown staff';
      if (id === 'automated') return vi ? 'ở trả lời tự động' : 'in automated replies';
      return vi ? `ở nhân viên ${name}` : `with ${name}`;
    case 'ad':
      return vi ? `từ quảng cáo ${name}` : `from ad ${name}`;
  }
}

function head(i: Insight, currency: string, locale: Locale): string {
  const vi = locale === 'vi-VN';
  const name = i.figure === 'roas' ? `${NAMES.roas[locale]} ${i.ad?.name ?? ''}`.trim() : NAMES[i.figure][locale];
  const v = formatFigure(i.unit, i.value, currency, locale);
  const u = formatFigure(i.unit, i.usual, currency, locale);
  if (i.unit === 'rate') {
    if (i.direction === 'up') return vi ? `${name} tăng lên ${v} (thường lệ ${u})` : `${name} up to ${v} (usual ${u})`;
    return vi ? `${name} giảm còn ${v} (thường lệ ${u})` : `${name} down to ${v} (usual ${u})`;
  }
  const vs = vi ? `(${v} so với ${u})` : `(${v} vs ${u})`;
  if (i.usual === 0) return vi ? `${name} ${v}, thường lệ không có` : `${name} ${v}, usually none`;
  const ratio = i.value / i.usual;
  if (i.direction === 'up' && ratio >= 2) {
    const r = formatNumber(Math.round(ratio), locale);
    return vi ? `${name} cao gấp ${r} lần thường lệ ${vs}` : `${name} ${r}× usual ${vs}`;
  }
  const pct = formatPercent(Math.round(Math.abs(ratio - 1) * 100) / 100, locale);
  if (i.direction === 'up') return vi ? `${name} cao hơn thường lệ ${pct} ${vs}` : `${name} ${pct} above usual ${vs}`;
  return vi ? `${name} thấp hơn thường lệ ${pct} ${vs}` : `${name} ${pct} below usual ${vs}`;
}

/** "34 in the evening shift (usually 2)": the slice's figure now, where, and its usual value. */
function where(p: Place, unit: Unit, currency: string, locale: Locale): string {
  const phrase = placePhrase(p.dimension, p.id, p.name, locale);
  if (p.value === null) return phrase;
  const usual = p.usual === null ? '' : locale === 'vi-VN' ? ` (thường lệ ${formatFigure(unit, p.usual, currency, locale)})` : ` (usually ${formatFigure(unit, p.usual, currency, locale)})`;
  return `${formatFigure(unit, p.value, currency, locale)} ${phrase}${usual}`;
}

/** The insight's sentence in `locale` (plain text; the caller escapes it for HTML). */
export function insightSentence(i: Insight, currency: string, locale: Locale): string {
  let out = head(i, currency, locale);
  if (i.ad) {
    const money = (x: number) => formatMoney(x, currency, locale);
    return `${out}: ${locale === 'vi-VN' ? `doanh thu ${money(i.ad.revenue)} trên ${money(i.ad.spend)} chi phí` : `${money(i.ad.revenue)} revenue on ${money(i.ad.spend)} spend`}`;
  }
  if (i.place) {
    out += `: ${where(i.place, i.unit, currency, locale)}`;
    if (i.also) out += `${locale === 'vi-VN' ? ', phần lớn ' : ', mostly '}${placePhrase(i.also.dimension, i.also.id, i.also.name, locale)}`;
  }
  return out;
}

/** Title and note of an insights block (digest, html overview). */
export function insightsHeading(period: 'daily' | 'weekly', locale: Locale): { title: string; note: string } {
  const vi = locale === 'vi-VN';
  return {
    title: vi ? 'Điều gì đã thay đổi' : 'What changed',
    note: period === 'daily'
      ? vi ? 'So với cùng thứ của 4 tuần trước' : 'Against the same weekday of the 4 weeks before'
      : vi ? 'So với 4 tuần trước' : 'Against the 4 weeks before',
  };
}
