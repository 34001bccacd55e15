import type { Locale, Shop } from '#lib/shops/schema.ts';
import { formatDayRange, formatDuration, formatHourSpan, formatInstant, formatMoney, formatMultiple, formatNumber, formatPercent, formatShortDay, strings, zoneLabel } from '#lib/email/i18n.ts';
import { metricsOf } from '#lib/reports/metrics.ts';
import type { AnyReport } from '#lib/reports/build.ts';
import type { ReportName } from '#lib/reports/types.ts';
import { reportTables, type Column, type Row, type Table } from '#lib/reports/table.ts';
import { barLineChart, funnelChart } from '#lib/reports/charts.ts';
import { esc, glossaryAnchor, page } from '#lib/reports/pages.ts';

/**
 * `format=html`: any report as one self-contained page with the digest's
 * look, the same figures as the JSON, fed by the table model
 * (lib/reports/table.ts) like the CSV and the xlsx. No script, no external
 * resource. Every label links to its definition on the glossary page
 * (`GET /v1/glossary`, in the page's language) and shows it as a tooltip.
 * Headers are labels, never JSON keys; rows name their day, page, staff,
 * ad and shift as a person would (a name where one is known, not an id).
 * The overview has charts (inline SVG): funnel, daily (or monthly) series,
 * hour of day.
 *
 * Width: the page never scrolls sideways at 390 or 1280 px. A table fits
 * its box or scrolls inside it, first column held, with a shadow cue and,
 * on a narrow screen, a line saying so (lib/reports/pages.ts).
 */

const TITLES: Record<ReportName, Record<Locale, string>> = {
  overview: { 'vi-VN': 'Tổng quan', en: 'Overview' },
  conversations: { 'vi-VN': 'Hội thoại', en: 'Conversations' },
  'staff-chat': { 'vi-VN': 'Nhân viên chat', en: 'Chat staff' },
  'staff-sales': { 'vi-VN': 'Nhân viên bán hàng', en: 'Sales staff' },
  ads: { 'vi-VN': 'Quảng cáo', en: 'Ads' },
  referrals: { 'vi-VN': 'Chương trình giới thiệu', en: 'Referral programme' },
};

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

type Ctx = { shop: Shop; locale: Locale; currency: string; timezone: string; glossary: string };

/** One value of a column as a person reads it. */
function show(c: Column, row: Row, ctx: Ctx): string {
  const v = row[c.key];
  const { locale } = ctx;
  if (v === null || v === undefined || v === '') return '—';
  switch (c.key) {
    case 'pageId': return ctx.shop.pages.find((p) => p.pageId === v)?.name ?? String(v);
    case 'shift': return shiftName(String(v), locale);
    // a person never sees a bare ad or campaign id where a name is known
    case 'adId': return typeof row.adName === 'string' && row.adName ? row.adName : String(v);
    case 'campaignId': return typeof row.campaignName === 'string' && row.campaignName ? row.campaignName : String(v);
    case 'name':
      if (row.staffId === 'unknown') return strings(locale).unknownStaff;
      if (row.staffId === 'automated') return strings(locale).automated;
  }
  if (typeof v !== 'number') return c.values?.[String(v)]?.[locale] ?? String(v);
  switch (c.type) {
    case 'money': return formatMoney(v, ctx.currency, locale);
    case 'rate': return formatPercent(v, locale);
    case 'multiple': return formatMultiple(v, locale);
    case 'seconds': return formatDuration(v, locale);
    case 'hour': return formatHourSpan(v);
    default: return formatNumber(v, locale);
  }
}

/** A text cell of a date, month or instant column. */
function showText(c: Column, v: unknown, ctx: Ctx): string | undefined {
  if (typeof v !== 'string') return undefined;
  if (c.type === 'date' || c.type === 'month') return formatPeriod(v, ctx.locale);
  if (c.type === 'datetime') return formatInstant(v, ctx.timezone, ctx.locale);
  return undefined;
}

/** A column's label: a link to its definition on the glossary page, the definition as its tooltip. */
function label(c: Column, ctx: Ctx): string {
  const text = esc(c.label[ctx.locale]);
  const def = c.definition?.[ctx.locale];
  const tip = def ? ` title="${esc(c.metric ? `${def} (${c.metric.timeBasis[ctx.locale]})` : def)}"` : '';
  if (c.metric) return `<a class="d" href="${esc(`${ctx.glossary}#${glossaryAnchor(c.metric.group, c.metric.key)}`)}"${tip}>${text}</a>`;
  return tip ? `<span class="d"${tip}>${text}</span>` : text;
}

/** Columns hidden on a page: an id whose name is shown in its place. */
const HIDDEN = new Set(['staffId', 'adName', 'campaignName']);

/**
 * A shown column: one column of the model, or the columns of one map metric
 * (`missedByShift.morning`, `.afternoon`…) folded into one cell,
 * "sáng 1 · chiều 2", so a phone is not asked to hold a column per shift.
 */
type Shown = { head: Column; parts: Column[] };
function shownColumns(t: Table): Shown[] {
  const out: Shown[] = [];
  for (const c of t.columns) {
    if (HIDDEN.has(c.key) && !(c.key === 'staffId' && !t.columns.some((x) => x.key === 'name'))) continue;
    const m = c.metric;
    if (m && (m.unit === 'map' || m.unit === 'rateMap')) {
      const prev = out[out.length - 1];
      if (prev && prev.head.metric === m) prev.parts.push(c);
      else out.push({ head: { ...c, key: m.key, label: m.label }, parts: [c] });
      continue;
    }
    out.push({ head: c, parts: [c] });
  }
  return out;
}

const NUMERIC = new Set(['int', 'number', 'money', 'rate', 'multiple', 'seconds']);

function cell(s: Shown, row: Row, ctx: Ctx): { html: string; cls: string } {
  if (s.parts.length > 1 || s.head.key !== s.parts[0]!.key) {
    const html = s.parts.map((p) => `<span class="nw">${esc(`${shiftName(p.key.slice(s.head.key.length + 1), ctx.locale)} ${show(p, row, ctx)}`)}</span>`).join(' · ');
    return { html, cls: 'w' };
  }
  const c = s.head;
  const text = showText(c, row[c.key], ctx) ?? show(c, row, ctx);
  return { html: esc(text), cls: NUMERIC.has(c.type) ? 'n' : '' };
}

/** A table in its scrolling box; `sticky` holds the first column. A line under a narrow screen's title says it scrolls. */
function htmlTable(t: Table, ctx: Ctx, sticky = true): string {
  const cols = shownColumns(t);
  const cls = (i: number, extra: string) => {
    const c = [i === 0 && sticky ? 's' : '', extra].filter(Boolean).join(' ');
    return c ? ` class="${c}"` : '';
  };
  const head = cols.map((s, i) => `<th${cls(i, s.parts.length === 1 && s.head.key === s.parts[0]!.key && NUMERIC.has(s.head.type) ? 'n' : '')}>${label(s.head, ctx)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${cols.map((s, i) => { const c = cell(s, r, ctx); return `<td${cls(i, c.cls)}>${c.html}</td>`; }).join('')}</tr>`).join('');
  const hint = cols.length > 4 ? `<p class="hint">${ctx.locale === 'en' ? 'Swipe the table sideways for more columns →' : 'Vuốt bảng sang ngang để xem thêm cột →'}</p>` : '';
  return `${hint}<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

const h2 = (s: string) => `<h2>${esc(s)}</h2>`;

/** The overview's key figures as tiles: this period, the previous one below. */
function tiles(report: Extract<AnyReport, { totals: unknown }>, ctx: Ctx): string {
  const totals = reportTables('overview', report).tables.find((t) => t.id === 'totals')!;
  const [now, prev] = totals.rows as [Row, Row];
  const out = totals.columns.filter((c) => c.metric).map((c) => `<div class="tile"><div class="l">${label(c, ctx)}</div><div class="v">${esc(show(c, now, ctx))}</div><div class="p">${esc(show(c, prev, ctx))}</div></div>`);
  return `<div class="tiles">${out.join('')}</div>`;
}

/**
 * The page for one report. `glossaryUrl` is the glossary page in `locale`
 * (labels link to its anchors); `top` is HTML put first (the overview's
 * insights block, lib/insights/html.ts).
 */
export function renderReportHtml(name: ReportName, report: AnyReport, shop: Shop, locale: Locale, glossaryUrl: string, top = ''): string {
  const set = reportTables(name, report);
  const ctx: Ctx = { shop, locale, currency: set.currency, timezone: set.timezone, glossary: glossaryUrl };
  const byId = (id: string) => set.tables.find((t) => t.id === id);
  const en = locale === 'en';
  const sections: string[] = [];
  if ('totals' in report) {
    const prev = report.previousRange ? formatDayRange(report.previousRange.from, report.previousRange.to, locale) : undefined;
    sections.push(h2(en ? `Key figures (previous period${prev ? `, ${prev},` : ''} below)` : `Chỉ số chính (kỳ trước${prev ? ` ${prev}` : ''} bên dưới)`), tiles(report, ctx));
    const funnel = byId('funnel')!;
    const stages = funnel.columns.map((c) => ({ label: c.label[locale], value: Number(funnel.rows[0]?.[c.key] ?? 0) }));
    sections.push(h2(en ? 'Funnel' : 'Phễu khách hàng'), funnelChart(en ? 'Funnel' : 'Phễu khách hàng', stages, locale), htmlTable(funnel, ctx, false));
    const monthly = report.seriesPeriod === 'month';
    const series = report.series;
    const slots = series.map((s) => (monthly ? formatPeriod(s.date, locale) : `${s.date.slice(8, 10)}/${s.date.slice(5, 7)}`));
    const every = Math.max(1, Math.ceil(series.length / 8));
    const reached = metricsOf('overview').find((m) => m.key === 'customersReached')!.label[locale];
    const ordered = metricsOf('overview').find((m) => m.key === 'ordersCreated')!.label[locale];
    const seriesTitle = monthly ? (en ? 'By month' : 'Theo tháng') : en ? 'By day' : 'Theo ngày';
    sections.push(h2(seriesTitle), series.length > 0 ? barLineChart(seriesTitle, slots, { label: reached, values: series.map((s) => s.customersReached) }, { label: ordered, values: series.map((s) => s.ordersCreated) }, locale, every) : '', htmlTable(byId('series')!, ctx));
    sections.push(h2(en ? 'Top staff (by revenue)' : 'Nhân viên nổi bật (theo doanh thu)'), report.topStaff.length ? htmlTable(byId('topStaff')!, ctx) : `<p>${esc(strings(locale).noData)}</p>`);
    const zone = zoneLabel(new Date(`${report.from}T12:00:00Z`), report.timezone);
    const hoursTitle = en ? `By hour of day (${zone})` : `Theo giờ trong ngày (${zone})`;
    const profile = metricsOf('profile');
    const hourSlots = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
    sections.push(
      h2(hoursTitle),
      barLineChart(hoursTitle, hourSlots, { label: profile.find((m) => m.key === 'interactionsByHour')!.label[locale], values: report.interactionsByHour }, { label: profile.find((m) => m.key === 'reachByHour')!.label[locale], values: report.reachByHour }, locale, 3),
      htmlTable(byId('hours')!, ctx),
    );
  } else {
    const [main, ...more] = set.tables;
    sections.push(htmlTable(main!, ctx, name !== 'referrals'));
    for (const t of more) if (t.rows.length > 0) sections.push(h2(t.title[locale]), htmlTable(t, ctx));
  }
  const range = formatDayRange(report.from, report.to, locale);
  const asOf = `${en ? 'Figures as of' : 'Số liệu tính đến'} ${formatInstant(report.generatedAt, report.timezone, locale)}${report.approximate ? ` · ${en ? 'some customer counts are upper bounds' : 'một số số khách là giới hạn trên'}` : ''}`;
  const glossary = `<a class="d" href="${esc(glossaryUrl)}">${en ? 'What the figures mean' : 'Ý nghĩa các chỉ số'}</a>`;
  return page(locale, `${shop.name} · ${TITLES[name][locale]} · ${range}`, shop.name, `${TITLES[name][locale]} · ${range}`, `${top}${sections.join('')}<p class="note">${esc(asOf)} · ${glossary}</p>`);
}
