import type { Shop } from '#lib/shops/schema.ts';
import type { WaitingList } from '#lib/live/waiting.ts';

/**
 * The waiting list as one small page (no script, no external resource),
 * in the shop's language: oldest first, overdue rows in red, the time of
 * reading on top (a shift lead reloads it).
 */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const WORDS = {
  'vi-VN': {
    title: 'Khách đang chờ trả lời',
    read: 'Cập nhật lúc',
    none: 'Không có khách nào đang chờ.',
    cols: ['Trang', 'Kênh', 'Khách', 'Chờ từ', 'Phút chờ (giờ làm việc)', 'Còn lại trước SLA (phút)', 'Trả lời gần nhất'],
    sla: (m: number) => `SLA ${m} phút làm việc`,
  },
  en: {
    title: 'Customers waiting for a reply',
    read: 'As of',
    none: 'Nobody is waiting.',
    cols: ['Page', 'Channel', 'Customer', 'Waiting since', 'Working minutes waited', 'Minutes left before SLA', 'Last replied by'],
    sla: (m: number) => `SLA ${m} working minutes`,
  },
} as const;

export function renderWaitingHtml(list: WaitingList, shop: Shop): string {
  const locale = shop.locale;
  const w = WORDS[locale] ?? WORDS.en;
  const time = new Intl.DateTimeFormat(locale, { timeZone: shop.timezone, day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
  const rows = list.waits
    .map(
      (r) =>
        `<tr${r.minutesLeft <= 0 ? ' class="late"' : ''}><td>${esc(r.pageName ?? r.pageId)}</td><td>${esc(r.channel)}</td><td>${esc(r.customerId)}</td><td>${esc(time.format(Date.parse(r.waitingSince)))}</td><td class="n">${r.workingMinutesWaited}</td><td class="n">${r.minutesLeft}</td><td>${esc(r.lastRepliedByName ?? r.lastRepliedBy ?? '—')}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="${locale === 'en' ? 'en' : 'vi'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(w.title)} · ${esc(shop.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:0;color:#1f2933}header{background:#0f766e;color:#fff;padding:12px 16px}h1{font-size:18px;margin:0}p{margin:4px 0 0;font-size:13px}.wrap{overflow-x:auto;padding:8px}table{border-collapse:collapse;width:100%;font-size:14px}th,td{padding:6px 8px;border-bottom:1px solid #e4e7eb;text-align:left;white-space:nowrap}td.n{text-align:right}tr.late td{color:#b91c1c;font-weight:600}</style></head>
<body><header><h1>${esc(w.title)} (${list.count})</h1><p>${esc(shop.name)} · ${esc(w.sla(list.responseSlaMinutes))} · ${esc(w.read)} ${esc(time.format(Date.parse(list.generatedAt)))}</p></header>
<div class="wrap">${list.count === 0 ? `<p>${esc(w.none)}</p>` : `<table><thead><tr>${w.cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`}</div></body></html>`;
}
