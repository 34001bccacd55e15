import type { Locale } from '#lib/shops/schema.ts';
import { METRICS, type MetricGroup } from '#lib/reports/metrics.ts';

/**
 * The shell every HTML page of the report function shares (report pages,
 * the glossary, a failed link), and the two small pages: the glossary of
 * metric definitions and the page a signed link that fails shows.
 *
 * One `<style>` block (the CSP allows inline style, nothing external), no
 * script. Layout rules that keep every column readable at 390 and 1280 px:
 * the content is at most 1200 px wide; a table that does not fit scrolls
 * inside its own box (`.scroll`), never the page, with its first column held
 * (`.s`, sticky) and a shadow on the side where more columns wait (the
 * `background-attachment: local` covers hide it once that edge is reached).
 */

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const CSS = [
  'body{margin:0;background:#f3f4f6;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Noto Sans",Helvetica,Arial,sans-serif;color:#374151;-webkit-text-size-adjust:100%}',
  '.top{background:#0f766e;color:#fff;padding:18px 16px 16px}',
  '.in{max-width:1200px;margin:0 auto}',
  '.shop{font-size:13px;opacity:.85}',
  'h1{margin:4px 0 0;font-size:22px;line-height:1.25;overflow-wrap:anywhere}',
  '.main{max-width:1200px;margin:0 auto;background:#fff;padding:8px 16px 24px;box-sizing:border-box}',
  'h2{font-size:16px;margin:24px 0 8px;color:#111827}',
  'h3{font-size:14px;margin:16px 0 4px;color:#111827}',
  'p{font-size:14px;line-height:1.5}',
  '.note{font-size:12px;color:#6b7280;margin-top:24px}',
  '.tiles{display:flex;flex-wrap:wrap;gap:8px}',
  '.tile{box-sizing:border-box;flex:1 1 150px;max-width:220px;padding:10px 12px;border:1px solid #e5e7eb;border-radius:8px}',
  '.tile .l{font-size:12px}.tile .v{font-size:20px;font-weight:700;color:#111827;white-space:nowrap}.tile .p{font-size:12px;color:#6b7280;white-space:nowrap}',
  '.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%;'
    + 'background:linear-gradient(to left,#fff 30%,rgba(255,255,255,0)) right/40px 100% no-repeat local,'
    + 'radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.22),rgba(0,0,0,0)) right/14px 100% no-repeat scroll}',
  'table{border-collapse:separate;border-spacing:0;font-size:14px;min-width:100%;white-space:nowrap}',
  'th{text-align:left;vertical-align:bottom;min-width:64px;max-width:140px;padding:6px 8px;font-size:12px;font-weight:600;border-bottom:1px solid #e5e7eb;white-space:normal}',
  'td{padding:6px 8px;border-bottom:1px solid #f3f4f6}',
  'td.n,th.n{text-align:right}',
  'td.w{white-space:normal;min-width:120px}',
  '.s{position:sticky;left:0;z-index:1;background:#fff;box-shadow:inset -1px 0 0 #e5e7eb;min-width:96px;max-width:38vw;white-space:normal;overflow-wrap:anywhere}',
  '.hint{font-size:12px;color:#6b7280;margin:0 0 4px}',
  '.nw{white-space:nowrap}',
  'a.d{color:#4b5563;text-decoration:none;border-bottom:1px dotted #9ca3af}',
  '.ins{margin:16px 0 8px;padding:12px 14px;border:1px solid #fde68a;background:#fffbeb;border-radius:8px;overflow-wrap:anywhere}',
  '.ins h2{margin:0 0 2px}.ins .note{margin:0 0 8px}',
  '.ins ul{list-style:none;margin:0;padding:0;font-size:14px;line-height:20px;color:#111827}.ins li{margin:0 0 6px}',
  '.ins li:before{content:"\\25CF  "}.ins .bad:before{color:#b91c1c}.ins .good:before{color:#047857}',
  '.chart{display:block;width:100%;max-width:620px;height:auto;margin:4px 0 8px}',
  'dl{margin:0}dt{font-weight:600;margin-top:12px}dd{margin:2px 0 0;font-size:14px;line-height:1.5}dd small{color:#6b7280}',
  '@media (min-width:900px){.hint{display:none}}',
].join('');

/** A whole page: header band with the shop (or product) name and a title, then the body. */
export function page(locale: Locale, title: string, shopName: string, heading: string, body: string): string {
  return `<!doctype html><html lang="${locale === 'en' ? 'en' : 'vi'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title><style>${CSS}</style></head>`
    + `<body><div class="top"><div class="in"><div class="shop">${esc(shopName)}</div><h1>${esc(heading)}</h1></div></div>`
    + `<div class="main">${body}</div></body></html>`;
}

/** The anchor of a metric on the glossary page. */
export const glossaryAnchor = (group: MetricGroup, key: string) => `${group}-${key}`;

const GROUP_TITLES: Record<MetricGroup, Record<Locale, string>> = {
  overview: { 'vi-VN': 'Tổng quan và hội thoại', en: 'Overview and conversations' },
  funnel: { 'vi-VN': 'Phễu khách hàng', en: 'Funnel' },
  profile: { 'vi-VN': 'Theo giờ trong ngày', en: 'By hour of day' },
  'staff-chat': { 'vi-VN': 'Nhân viên chat', en: 'Chat staff' },
  'staff-sales': { 'vi-VN': 'Nhân viên bán hàng', en: 'Sales staff' },
  ads: { 'vi-VN': 'Quảng cáo', en: 'Ads' },
  referrals: { 'vi-VN': 'Chương trình giới thiệu', en: 'Referral programme' },
};

/** `code` spans of a definition (`orders`) as <code>, the rest escaped. */
const withCode = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

/**
 * `GET /v1/glossary?lang=vi|en` (no key): every metric of
 * lib/reports/metrics.ts as a person reads it, grouped by report, each with
 * an anchor (`#staff-chat-slaMetRate`) the report pages link their labels to.
 */
export function renderGlossaryHtml(locale: Locale): string {
  const groups = [...new Set(METRICS.map((m) => m.group))];
  const basis = locale === 'en' ? 'Counted by' : 'Tính theo';
  const body = groups.map((g) => `<h2>${esc(GROUP_TITLES[g][locale])}</h2><dl>${METRICS.filter((m) => m.group === g).map((m) => `<dt id="${glossaryAnchor(g, m.key)}">${esc(m.label[locale])}</dt><dd>${withCode(m.definition[locale])}<br><small>${basis}: ${withCode(m.timeBasis[locale])}</small></dd>`).join('')}</dl>`).join('');
  const title = locale === 'en' ? 'What the figures mean' : 'Ý nghĩa các chỉ số';
  const other = locale === 'en' ? '<a class="d" href="?lang=vi">Tiếng Việt</a>' : '<a class="d" href="?lang=en">English</a>';
  return page(locale, `chatpulse · ${title}`, 'chatpulse', title, `<p>${other}</p>${body}`);
}

export type LinkFailure = 'expired' | 'invalid' | 'not_found';
const FAILURES: Record<LinkFailure, Record<Locale, [string, string]>> = {
  expired: {
    'vi-VN': ['Liên kết đã hết hạn', 'Liên kết báo cáo này đã hết hạn. Hãy mở báo cáo mới nhất từ email, hoặc nhờ quản trị viên gửi lại liên kết.'],
    en: ['This link has expired', 'This report link has expired. Open the latest report from your email, or ask your administrator for a new link.'],
  },
  invalid: {
    'vi-VN': ['Liên kết không hợp lệ', 'Liên kết báo cáo này không hợp lệ: có thể nó đã bị sửa hoặc bị cắt khi sao chép, hoặc đã bị thu hồi. Hãy mở lại liên kết từ email.'],
    en: ['This link is not valid', 'This report link is not valid: it may have been changed or cut short when copied, or revoked. Open the link from your email again.'],
  },
  not_found: {
    'vi-VN': ['Không tìm thấy báo cáo', 'Báo cáo mà liên kết này trỏ đến không còn tồn tại.'],
    en: ['Report not found', 'The report this link points to no longer exists.'],
  },
};

/** The short page a signed report link that fails shows, in the link's (or shop's) language. */
export function renderLinkErrorHtml(reason: LinkFailure, locale: Locale): string {
  const [title, text] = FAILURES[reason][locale];
  return page(locale, title, 'chatpulse', title, `<p>${esc(text)}</p>`);
}
