import type { Locale, Shop } from '#lib/shops/schema.ts';
import { formatDayRange, formatDuration, formatHourSpan, formatInstant, formatMoney, formatMultiple, formatNumber, formatPercent, formatShortDay, strings, zoneLabel } from '#lib/email/i18n.ts';
import { FIELD_LABELS, metricsOf, readableKey, type MetricDefinition, type MetricGroup } from '#lib/reports/metrics.ts';
import type { AnyReport } from '#lib/reports/build.ts';
import type { ReportName } from '#lib/reports/types.ts';

/**
 * `format=html`: any report as one self-contained page with the digest's
 * look (teal header, system font, tables that scroll sideways on a phone),
 * the same figures as the JSON. No script, no external resource; every
 * metric label carries its definition (from lib/reports/metrics.ts) as a
 * tooltip and links to `GET /v1/metrics`. Headers are labels in the shop's
 * language, never JSON keys (FIELD_LABELS there names the non-metric
 * columns); rows name their day, page, staff and shift as a person would.
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

const CHANNEL_NAMES: Record<string, string> = { facebook: 'Facebook', instagram: 'Instagram', zalo: 'Zalo' };
const shiftName = (n: string, locale: Locale) => strings(locale).shiftNames[n] ?? n;

const monthFormats = new Map<Locale, Intl.DateTimeFormat>();
/** A series key: a day as "01/10/2026" / "Oct 1, 2026", a month (`YYYY-MM`) as "10/2026" / "Oct 2026". */
function formatPeriod(key: string, locale: Locale): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(key)) return formatShortDay(key, locale);
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  if (!m) return key;
  if (locale === 'vi-VN') return `${m[2]}/${m[1]}`;
  let f = monthFormats.get(locale);
  if (!f) monthFormats.set(locale, (f = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', year: 'numeric' })));
  return f.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)));
}

function value(m: MetricDefinition | undefined, v: unknown, currency: string, locale: Locale): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${shiftName(k, locale)} ${value(m && { ...m, unit: m.unit === 'rateMap' ? 'rate' : 'count' }, x, currency, locale)}`).join(' · ');
  if (typeof v !== 'number') return String(v);
  switch (m?.unit) {
    case 'money':
    case 'moneyOrNull': return formatMoney(v, currency, locale);
    case 'rate': return m.key === 'roas' ? formatMultiple(v, locale) : formatPercent(v, locale);
    case 'seconds': return formatDuration(v, locale);
    default: return formatNumber(v, locale);
  }
}

/** A row-naming cell (date, staff, page, shift…) as a person reads it. */
function leadValue(key: string, row: Record<string, unknown>, shop: Shop, locale: Locale): string {
  const v = row[key];
  if (v === null || v === undefined || v === '') return '—';
  if (key === 'date' && typeof v === 'string') return formatPeriod(v, locale);
  if (key === 'hour' && typeof v === 'number') return formatHourSpan(v);
  if (key === 'pageId') return shop.pages.find((p) => p.pageId === v)?.name ?? String(v);
  if (key === 'channel') return CHANNEL_NAMES[String(v)] ?? String(v);
  if (key === 'shift') return shiftName(String(v), locale);
  // a person never sees a bare ad id where a name is known (SPEC §3 Ads)
  if (key === 'adId' && typeof row.adName === 'string') return row.adName;
  if (key === 'campaignId' && typeof row.campaignName === 'string') return row.campaignName;
  if (key === 'name' && row.staffId === 'unknown') return strings(locale).unknownStaff;
  if (key === 'name' && row.staffId === 'automated') return strings(locale).automated;
  return typeof v === 'number' ? formatNumber(v, locale) : String(v);
}

const LINK_STYLE = 'color:#4b5563;text-decoration:none;border-bottom:1px dotted #9ca3af;';

/** A metric's label, with its definition as a tooltip and a link to the definitions; any other field's label (never its key). */
function label(m: MetricDefinition | undefined, key: string, locale: Locale, metricsUrl: string): string {
  if (m) return `<a href="${esc(metricsUrl)}" title="${esc(`${m.definition[locale]} (${m.timeBasis[locale]})`)}" style="${LINK_STYLE}">${esc(m.label[locale])}</a>`;
  const field = FIELD_LABELS[key];
  if (field?.definition) return `<span title="${esc(field.definition[locale])}" style="${LINK_STYLE}">${esc(field.label[locale])}</span>`;
  return esc(field?.label[locale] ?? readableKey(key));
}

/**
 * On a phone (375 px) a wide table scrolls sideways inside its box; the
 * first column (the staff, day, ad or shift a row is about) stays put, so
 * each figure can still be read against its row. Headers wrap, figures do
 * not: `nowrap` is set once on the table (cells inherit it) rather than on
 * every cell, which keeps a 31-day overview well under Gmail's clip. Inline
 * styles only (the page's CSP allows no stylesheet).
 */
const STICKY = 'position:sticky;left:0;z-index:1;background:#fff;box-shadow:inset -1px 0 0 #e5e7eb;min-width:120px;white-space:normal;';
const TH = 'text-align:left;vertical-align:bottom;min-width:72px;padding:6px 8px;font-size:12px;font-weight:600;border-bottom:1px solid #e5e7eb;white-space:normal;';
const TD = 'padding:6px 8px;border-bottom:1px solid #f3f4f6;';

type Lead = { key: string; label?: string };

function table(rows: Array<Record<string, unknown>>, group: MetricGroup, lead: Lead[], shop: Shop, currency: string, locale: Locale, metricsUrl: string): string {
  const defs = metricsOf(group);
  const keys = defs.filter((d) => rows.some((r) => d.key in r)).map((d) => d.key);
  const sticky = (i: number) => (lead.length > 0 && i === 0 ? STICKY : '');
  const th = (s: string, i: number) => `<th style="${TH}${sticky(i)}">${s}</th>`;
  const td = (s: string, i: number) => `<td style="${TD}${sticky(i)}">${s}</td>`;
  const head = [...lead.map((l) => label(undefined, l.label ?? l.key, locale, metricsUrl)), ...keys.map((k) => label(defs.find((d) => d.key === k), k, locale, metricsUrl))].map(th).join('');
  const body = rows.map((r) => `<tr>${[...lead.map((l) => esc(leadValue(l.key, r, shop, locale))), ...keys.map((k) => esc(value(defs.find((d) => d.key === k), r[k], currency, locale)))].map(td).join('')}</tr>`).join('');
  return `<div style="overflow-x:auto;"><table style="border-collapse:separate;border-spacing:0;font-size:14px;min-width:100%;white-space:nowrap;"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** The page for one report. `metricsUrl` is where the labels link (the definitions); `top` is HTML put first (the overview's insights block). */
export function renderReportHtml(name: ReportName, report: AnyReport, shop: Shop, locale: Locale, metricsUrl: string, top = ''): string {
  const cur = report.currency;
  const sections: string[] = [];
  const h2 = (s: string) => `<h2 style="font-size:16px;margin:24px 0 8px;color:#111827;">${esc(s)}</h2>`;
  if ('totals' in report) {
    const defs = metricsOf('overview');
    const tiles = defs.map((d) => {
      const v = (report.totals as Record<string, unknown>)[d.key];
      const p = (report.previous as Record<string, unknown>)[d.key];
      return `<div style="display:inline-block;vertical-align:top;box-sizing:border-box;width:calc(50% - 8px);max-width:186px;margin:0 8px 12px 0;padding:10px 12px;border:1px solid #e5e7eb;border-radius:8px;"><div style="font-size:12px;">${label(d, d.key, locale, metricsUrl)}</div><div style="font-size:20px;font-weight:700;color:#111827;white-space:nowrap;">${esc(value(d, v, cur, locale))}</div><div style="font-size:12px;color:#6b7280;white-space:nowrap;">${esc(value(d, p, cur, locale))}</div></div>`;
    });
    const prev = report.previousRange ? formatDayRange(report.previousRange.from, report.previousRange.to, locale) : undefined;
    sections.push(h2(locale === 'en' ? `Key figures (previous period${prev ? `, ${prev},` : ''} below)` : `Chỉ số chính (kỳ trước${prev ? ` ${prev}` : ''} bên dưới)`), `<div>${tiles.join('')}</div>`);
    const monthly = report.seriesPeriod === 'month';
    sections.push(h2(locale === 'en' ? 'Funnel' : 'Phễu khách hàng'), table([report.funnel as unknown as Record<string, unknown>], 'funnel', [], shop, cur, locale, metricsUrl));
    sections.push(h2(monthly ? (locale === 'en' ? 'By month' : 'Theo tháng') : locale === 'en' ? 'By day' : 'Theo ngày'), table(report.series as unknown as Array<Record<string, unknown>>, 'overview', [{ key: 'date', label: monthly ? 'month' : 'date' }], shop, cur, locale, metricsUrl));
    // top staff by revenue (the JSON's `topStaff`, at most 5): the staff-sales definitions of its figures
    sections.push(h2(locale === 'en' ? 'Top staff (by revenue)' : 'Nhân viên nổi bật (theo doanh thu)'), report.topStaff.length
      ? table(report.topStaff as unknown as Array<Record<string, unknown>>, 'staff-sales', [{ key: 'name' }], shop, cur, locale, metricsUrl)
      : `<p style="font-size:14px;">${esc(strings(locale).noData)}</p>`);
    // the hour-of-day profiles (`reachByHour`, `interactionsByHour`), one row per hour of the shop's day
    const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, reachByHour: report.reachByHour[hour] ?? 0, interactionsByHour: report.interactionsByHour[hour] ?? 0 }));
    const zone = zoneLabel(new Date(`${report.from}T12:00:00Z`), report.timezone);
    sections.push(h2(locale === 'en' ? `By hour of day (${zone})` : `Theo giờ trong ngày (${zone})`), table(hours, 'profile', [{ key: 'hour' }], shop, cur, locale, metricsUrl));
  } else if (name === 'conversations') {
    const rows = report.rows as unknown as Array<Record<string, unknown>>;
    sections.push(table(rows, 'overview', ['date', 'hour', 'pageId', 'channel'].filter((k) => rows.some((r) => k in r)).map((key) => ({ key })), shop, cur, locale, metricsUrl));
  } else {
    const lead = (name === 'ads' ? ['adId', 'campaignId'] : name === 'referrals' ? [] : ['name']).map((key) => ({ key }));
    sections.push(table(report.rows as unknown as Array<Record<string, unknown>>, GROUP_OF[name as keyof typeof GROUP_OF], lead, shop, cur, locale, metricsUrl));
    // per campaign (the JSON's `campaigns`; ads without a known campaign are in no campaign)
    if ('campaigns' in report && report.campaigns.length > 0) sections.push(h2(locale === 'en' ? 'By campaign' : 'Theo chiến dịch'), table(report.campaigns as unknown as Array<Record<string, unknown>>, 'ads', [{ key: 'campaignId' }], shop, cur, locale, metricsUrl));
    if ('shifts' in report && Array.isArray(report.shifts)) sections.push(h2(locale === 'en' ? 'By shift' : 'Theo ca'), table(report.shifts as unknown as Array<Record<string, unknown>>, 'staff-chat', [{ key: 'shift' }, { key: 'waitsClosed' }, { key: 'withinSla' }], shop, cur, locale, metricsUrl));
  }
  const title = `${shop.name} · ${TITLES[name][locale]} · ${formatDayRange(report.from, report.to, locale)}`;
  return `<!doctype html><html lang="${locale === 'en' ? 'en' : 'vi'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title></head>`
    + `<body style="margin:0;background:#f3f4f6;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#374151;">`
    + `<div style="background:#0f766e;color:#fff;padding:18px 16px 16px;"><div style="max-width:960px;margin:0 auto;"><div style="font-size:13px;opacity:.85;">${esc(shop.name)}</div><h1 style="margin:4px 0 0;font-size:22px;">${esc(TITLES[name][locale])} · ${esc(formatDayRange(report.from, report.to, locale))}</h1></div></div>`
    + `<div style="max-width:960px;margin:0 auto;background:#fff;padding:8px 16px 24px;">${top}${sections.join('')}`
    + `<p style="font-size:12px;color:#6b7280;margin-top:24px;">${esc(locale === 'en' ? 'Figures as of' : 'Số liệu tính đến')} ${esc(formatInstant(report.generatedAt, report.timezone, locale))}${report.approximate ? ` · ${esc(locale === 'en' ? 'some customer counts are upper bounds' : 'một số số khách là giới hạn trên')}` : ''}</p></div></body></html>`;
}
