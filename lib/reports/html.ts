import type { Locale, Shop } from '#lib/shops/schema.ts';
import { formatDayRange, formatDuration, formatInstant, formatMoney, formatMultiple, formatNumber, formatPercent } from '#lib/email/i18n.ts';
import { metricsOf, type MetricDefinition, type MetricGroup } from '#lib/reports/metrics.ts';
import type { AnyReport } from '#lib/reports/build.ts';
import type { ReportName } from '#lib/reports/types.ts';

/**
 * `format=html`: any report as one self-contained page with the digest's
 * look (teal header, system font, tables that scroll sideways on a phone),
 * the same figures as the JSON. No script, no external resource; every
 * metric label carries its definition (from lib/reports/metrics.ts) as a
 * tooltip and links to `GET /v1/metrics`.
 */

const GROUP_OF: Record<Exclude<ReportName, 'overview' | 'conversations'>, MetricGroup> = {
  'staff-chat': 'staff-chat',
  'staff-sales': 'staff-sales',
  ads: 'ads',
  referrals: 'referrals',
};
const TITLES: Record<ReportName, Record<Locale, string>> = {
  overview: { 'vi-VN': 'Tổng quan', en: 'Overview' },
  conversations: { 'vi-VN': 'Hội thoại', en: 'Conversations' },
  'staff-chat': { 'vi-VN': 'Nhân viên chat', en: 'Chat staff' },
  'staff-sales': { 'vi-VN': 'Nhân viên bán hàng', en: 'Sales staff' },
  ads: { 'vi-VN': 'Quảng cáo', en: 'Ads' },
  referrals: { 'vi-VN': 'Chương trình giới thiệu', en: 'Referral programme' },
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function value(m: MetricDefinition | undefined, v: unknown, currency: string, locale: Locale): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k} ${value(m && { ...m, unit: m.unit === 'rateMap' ? 'rate' : 'count' }, x, currency, locale)}`).join(' · ');
  if (typeof v !== 'number') return String(v);
  switch (m?.unit) {
    case 'money': return formatMoney(v, currency, locale);
    case 'rate': return m.key === 'roas' ? formatMultiple(v, locale) : formatPercent(v, locale);
    case 'seconds': return formatDuration(v, locale);
    default: return formatNumber(v, locale);
  }
}

function label(m: MetricDefinition | undefined, key: string, locale: Locale, metricsUrl: string): string {
  if (!m) return esc(key);
  return `<a href="${esc(metricsUrl)}" title="${esc(`${m.definition[locale]} (${m.timeBasis[locale]})`)}" style="color:#4b5563;text-decoration:none;border-bottom:1px dotted #9ca3af;">${esc(m.label[locale])}</a>`;
}

function table(rows: Array<Record<string, unknown>>, group: MetricGroup, lead: string[], currency: string, locale: Locale, metricsUrl: string): string {
  const defs = metricsOf(group);
  const keys = defs.filter((d) => rows.some((r) => d.key in r)).map((d) => d.key);
  const th = (s: string) => `<th style="text-align:left;padding:6px 8px;font-size:12px;font-weight:600;border-bottom:1px solid #e5e7eb;white-space:nowrap;">${s}</th>`;
  const td = (s: string) => `<td style="padding:6px 8px;border-bottom:1px solid #f3f4f6;white-space:nowrap;">${s}</td>`;
  const head = [...lead.map((k) => th(esc(k))), ...keys.map((k) => th(label(defs.find((d) => d.key === k), k, locale, metricsUrl)))].join('');
  const body = rows.map((r) => `<tr>${[...lead.map((k) => td(esc(String(r[k] ?? '—')))), ...keys.map((k) => td(esc(value(defs.find((d) => d.key === k), r[k], currency, locale))))].join('')}</tr>`).join('');
  return `<div style="overflow-x:auto;"><table style="border-collapse:collapse;font-size:14px;min-width:100%;"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** The page for one report. `metricsUrl` is where the labels link (the definitions). */
export function renderReportHtml(name: ReportName, report: AnyReport, shop: Shop, locale: Locale, metricsUrl: string): string {
  const cur = report.currency;
  const sections: string[] = [];
  const h2 = (s: string) => `<h2 style="font-size:16px;margin:24px 0 8px;color:#111827;">${esc(s)}</h2>`;
  if ('totals' in report) {
    const defs = metricsOf('overview');
    const tiles = defs.map((d) => {
      const v = (report.totals as Record<string, unknown>)[d.key];
      const p = (report.previous as Record<string, unknown>)[d.key];
      return `<div style="display:inline-block;vertical-align:top;width:160px;margin:0 8px 12px 0;padding:10px 12px;border:1px solid #e5e7eb;border-radius:8px;"><div style="font-size:12px;">${label(d, d.key, locale, metricsUrl)}</div><div style="font-size:20px;font-weight:700;color:#111827;white-space:nowrap;">${esc(value(d, v, cur, locale))}</div><div style="font-size:12px;color:#6b7280;white-space:nowrap;">${esc(value(d, p, cur, locale))}</div></div>`;
    });
    sections.push(h2(locale === 'en' ? 'Key figures (previous period below)' : 'Chỉ số chính (kỳ trước bên dưới)'), `<div>${tiles.join('')}</div>`);
    sections.push(h2(locale === 'en' ? 'Funnel' : 'Phễu khách hàng'), table([report.funnel as unknown as Record<string, unknown>], 'funnel', [], cur, locale, metricsUrl));
    sections.push(h2(locale === 'en' ? 'By day' : 'Theo ngày'), table(report.series as unknown as Array<Record<string, unknown>>, 'overview', ['date'], cur, locale, metricsUrl));
  } else if (name === 'conversations') {
    sections.push(table(report.rows as unknown as Array<Record<string, unknown>>, 'overview', ['date', 'hour', 'pageId', 'channel'].filter((k) => (report.rows as Array<Record<string, unknown>>).some((r) => k in r)), cur, locale, metricsUrl));
  } else {
    const lead = name === 'ads' ? ['adId', 'campaignId'] : name === 'referrals' ? [] : ['name'];
    sections.push(table(report.rows as unknown as Array<Record<string, unknown>>, GROUP_OF[name as keyof typeof GROUP_OF], lead, cur, locale, metricsUrl));
    if ('shifts' in report && Array.isArray(report.shifts)) sections.push(h2(locale === 'en' ? 'By shift' : 'Theo ca'), table(report.shifts.map((s) => ({ ...s, missedConversations: s.missedConversations, slaMetRate: s.slaMetRate })) as unknown as Array<Record<string, unknown>>, 'staff-chat', ['shift', 'waitsClosed', 'withinSla'], cur, locale, metricsUrl));
  }
  const title = `${shop.name} · ${TITLES[name][locale]} · ${formatDayRange(report.from, report.to, locale)}`;
  return `<!doctype html><html lang="${locale === 'en' ? 'en' : 'vi'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title></head>`
    + `<body style="margin:0;background:#f3f4f6;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#374151;">`
    + `<div style="background:#0f766e;color:#fff;padding:18px 16px 16px;"><div style="max-width:960px;margin:0 auto;"><div style="font-size:13px;opacity:.85;">${esc(shop.name)}</div><h1 style="margin:4px 0 0;font-size:22px;">${esc(TITLES[name][locale])} · ${esc(formatDayRange(report.from, report.to, locale))}</h1></div></div>`
    + `<div style="max-width:960px;margin:0 auto;background:#fff;padding:8px 16px 24px;">${sections.join('')}`
    + `<p style="font-size:12px;color:#6b7280;margin-top:24px;">${esc(locale === 'en' ? 'Figures as of' : 'Số liệu tính đến')} ${esc(formatInstant(report.generatedAt, report.timezone, locale))}${report.approximate ? ` · ${esc(locale === 'en' ? 'some customer counts are upper bounds' : 'một số số khách là giới hạn trên')}` : ''}</p></div></body></html>`;
}
