import type { Locale } from '#lib/shops/schema.ts';
import { escapeHtml } from '#lib/email/skeleton.ts';
import type { AlertPayload } from '#lib/alerts/payload.ts';

/** A short alert email in the shop's language: subject, a few lines, the oldest waits first (at most 20 listed). */
const LISTED = 20;

const words = {
  'vi-VN': {
    warning: (n: number, left: number) => `[chatpulse] ${n} khách sắp quá hạn trả lời (còn ${left} phút)`,
    breach: (n: number, sla: number) => `[chatpulse] ${n} khách đã chờ quá ${sla} phút`,
    line: (page: string, customer: string, since: string, waited: number) => `${page} · khách ${customer} · chờ từ ${since} · ${waited} phút làm việc`,
    more: (n: number) => `… và ${n} khách khác`,
    footer: 'Trả lời khách ngay. Danh sách đang chờ: GET /v1/shops/{shopId}/waiting.',
  },
  en: {
    warning: (n: number, left: number) => `[chatpulse] ${n} customer${n === 1 ? '' : 's'} near the reply SLA (${left} min left)`,
    breach: (n: number, sla: number) => `[chatpulse] ${n} customer${n === 1 ? '' : 's'} waiting over ${sla} min`,
    line: (page: string, customer: string, since: string, waited: number) => `${page} · customer ${customer} · waiting since ${since} · ${waited} working min`,
    more: (n: number) => `… and ${n} more`,
    footer: 'Reply now. Who is waiting: GET /v1/shops/{shopId}/waiting.',
  },
} as const;

export function alertEmail(p: AlertPayload, locale: Locale): { subject: string; text: string; html: string } {
  const w = words[locale] ?? words.en;
  const n = p.waits.length;
  const subject = p.threshold === 'warning' ? w.warning(n, p.warnBeforeMinutes ?? 0) : w.breach(n, p.responseSlaMinutes);
  const time = new Intl.DateTimeFormat(locale, { timeZone: p.timezone, hour: '2-digit', minute: '2-digit', hour12: false });
  const lines = p.waits.slice(0, LISTED).map((x) => w.line(x.pageName ?? x.pageId, x.customerId, time.format(Date.parse(x.waitingSince)), x.workingMinutesWaited));
  if (n > LISTED) lines.push(w.more(n - LISTED));
  const footer = w.footer.replace('{shopId}', p.shopId);
  const text = [`${p.shopName}`, '', ...lines, '', footer].join('\n');
  const html = `<!doctype html><html lang="${locale === 'en' ? 'en' : 'vi'}"><meta charset="utf-8"><body style="font-family:sans-serif"><p><b>${escapeHtml(p.shopName)}</b></p><ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul><p>${escapeHtml(footer)}</p></body></html>`;
  return { subject, text, html };
}
