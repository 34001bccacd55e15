import type { Locale } from '#lib/shops/schema.ts';
import { FIELD_LABELS, metricsOf, readableKey, type MetricDefinition, type MetricGroup } from '#lib/reports/metrics.ts';
import type { AnyReport } from '#lib/reports/build.ts';
import type { ReportName } from '#lib/reports/types.ts';

/**
 * The one labelled table model every format is fed from (csv.ts, xlsx.ts,
 * html.ts): a report becomes a list of tables, each a list of typed,
 * labelled columns over plain rows whose values are the JSON's own values
 * (nested maps such as `missedByShift` flattened to `missedByShift.morning`).
 * A format decides how a type looks (CSV: as JSON prints it; xlsx: a typed
 * cell; html: words for a person); the model decides what is shown and what
 * it means.
 *
 * Metric columns come from lib/reports/metrics.ts (label, definition, unit),
 * so a metric added there appears in every format. A row key that neither
 * the metrics nor this file knows is still shown (after the others, typed
 * from its values), never silently dropped.
 */

export type Text = Record<Locale, string>;

/**
 * `id`: an identifier, always text (a 17-digit ad id must never become
 * 2.385E+16); `int`/`number`: counts and plain numbers; `money`: major units
 * of the report's currency; `rate`: a fraction shown as a percentage;
 * `multiple`: a ratio shown as ×N (ROAS); `date`: `YYYY-MM-DD` in the shop's
 * zone; `month`: `YYYY-MM`; `datetime`: an ISO-8601 instant shown in the
 * shop's zone; `seconds`: a duration in seconds; `hour`: an hour of day 0–23.
 */
export type ColumnType = 'id' | 'text' | 'int' | 'number' | 'money' | 'rate' | 'multiple' | 'date' | 'month' | 'datetime' | 'seconds' | 'hour';

export type Column = {
  /** The key in the row: a JSON key, or `parent.child` for a flattened map. */
  key: string;
  label: Text;
  type: ColumnType;
  definition?: Text;
  /** Set for a metric column: its definition in lib/reports/metrics.ts. */
  metric?: MetricDefinition;
  /** Words for a text column's values (shift names, channels, statuses); values without one are shown as they are. */
  values?: Readonly<Record<string, Text>>;
};

export type Row = Record<string, unknown>;

export type Table = {
  /** Stable name of the table: `series`, `rows`, `campaigns`, `shifts`… */
  id: string;
  title: Text;
  columns: Column[];
  rows: Row[];
};

/** The tables of one report or export, and what their values are measured in. */
export type TableSet = {
  currency: string;
  timezone: string;
  tables: Table[];
  /** The table a CSV carries (the overview's series, any other report's rows). */
  primary: string;
};

const t = (vi: string, en: string): Text => ({ 'vi-VN': vi, en });

/** Shift names (the shop's shifts are named by these keys; any other name shows as it is). */
export const SHIFT_NAMES: Readonly<Record<string, Text>> = {
  morning: t('Ca sáng', 'Morning'),
  afternoon: t('Ca chiều', 'Afternoon'),
  evening: t('Ca tối', 'Evening'),
  night: t('Ca đêm', 'Night'),
  other: t('Ngoài ca', 'Outside shifts'),
};
export const CHANNEL_NAMES: Readonly<Record<string, Text>> = {
  facebook: t('Facebook', 'Facebook'),
  instagram: t('Instagram', 'Instagram'),
  zalo: t('Zalo', 'Zalo'),
};
const STATUS_NAMES: Readonly<Record<string, Text>> = {
  answered: t('Đã trả lời', 'Answered'),
  missed: t('Bỏ lỡ', 'Missed'),
  open: t('Đang chờ', 'Open'),
};

const label = (key: string): Text => FIELD_LABELS[key]?.label ?? t(readableKey(key), readableKey(key));
/** A non-metric column, labelled from FIELD_LABELS (or the key as words). */
function field(key: string, type: ColumnType, extra: Partial<Column> = {}): Column {
  const def = FIELD_LABELS[key]?.definition;
  return { key, label: label(key), type, ...(def ? { definition: def } : {}), ...extra };
}

const TYPE_OF_UNIT: Partial<Record<MetricDefinition['unit'], ColumnType>> = { count: 'int', money: 'money', rate: 'rate', seconds: 'seconds' };

/** The column type of a metric. ROAS is a rate in metrics.ts but a person reads it as ×N. */
export function metricType(m: MetricDefinition): ColumnType {
  if (m.key === 'roas') return 'multiple';
  if (String(m.unit).startsWith('money')) return 'money'; // money, or money that may be null (unknown)
  return TYPE_OF_UNIT[m.unit] ?? 'number';
}

/** `missedByShift: {morning: 1}` → `missedByShift.morning: 1`. */
export function flattenRow(row: object): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k2, v2] of Object.entries(v)) out[`${k}.${k2}`] = v2;
    else out[k] = v;
  }
  return out;
}

const has = (rows: Row[], key: string) => rows.some((r) => key in r);
const subKeys = (rows: Row[], key: string): string[] => {
  const out: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (k.startsWith(`${key}.`) && !out.includes(k)) out.push(k);
  return out;
};

/**
 * The metric columns of `group` for these (flattened) rows: every metric a
 * row has (all of them when there is no row), maps expanded to one column
 * per key found (`Bỏ lỡ theo ca · Ca sáng`).
 */
function metricColumns(group: MetricGroup, rows: Row[], only?: readonly string[]): Column[] {
  const out: Column[] = [];
  for (const m of metricsOf(group)) {
    if (only && !only.includes(m.key)) continue;
    if (m.unit === 'hours24') continue;
    if (m.unit === 'map' || m.unit === 'rateMap') {
      for (const k of subKeys(rows, m.key)) {
        const sub = k.slice(m.key.length + 1);
        const name = SHIFT_NAMES[sub];
        out.push({ key: k, label: t(`${m.label['vi-VN']} · ${name?.['vi-VN'] ?? sub}`, `${m.label.en} · ${name?.en ?? sub}`), type: m.unit === 'map' ? 'int' : 'rate', definition: m.definition, metric: m });
      }
      continue;
    }
    if (rows.length > 0 && !has(rows, m.key)) continue;
    out.push({ key: m.key, label: m.label, type: metricType(m), definition: m.definition, metric: m });
  }
  return out;
}

/** Lead columns a row has (all of them without rows, except those marked optional), then metrics, then any key nobody described. */
function table(id: string, title: Text, rawRows: readonly object[], lead: Array<Column & { optional?: boolean }>, metrics: Column[] | ((rows: Row[]) => Column[])): Table {
  const rows = rawRows.map(flattenRow);
  const leadCols = lead.filter((c) => (rows.length === 0 ? !c.optional : has(rows, c.key))).map(({ optional: _, ...c }) => c);
  const columns = [...leadCols, ...(typeof metrics === 'function' ? metrics(rows) : metrics)];
  const known = new Set(columns.map((c) => c.key));
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (known.has(k)) continue;
      known.add(k);
      const values = rows.map((x) => x[k]).filter((x) => x !== null && x !== undefined);
      const type: ColumnType = values.length > 0 && values.every((x) => typeof x === 'number') ? (values.every((x) => Number.isInteger(x)) ? 'int' : 'number') : 'text';
      columns.push({ key: k, label: label(k), type });
    }
  }
  return { id, title, columns, rows };
}

const STAFF_LEAD = [{ ...field('staffId', 'id'), label: t('Mã nhân viên', 'Staff id') }, field('name', 'text')];
const NO_LEAD: Column[] = [];

/**
 * The tables of a report, in the order a reader meets them on the page.
 * Overview: key figures (this period and the previous one), funnel, series
 * (days or months), hour of day, top staff. Staff-chat: staff, then shifts.
 * Ads: ads, then campaigns. Others: their rows.
 */
export function reportTables(name: ReportName, report: AnyReport): TableSet {
  const head = { currency: report.currency, timezone: report.timezone };
  if ('totals' in report) {
    const monthly = report.seriesPeriod === 'month';
    const period = field('period', 'text', { label: t('Kỳ', 'Period') });
    const prev = report.previousRange;
    const totals = [
      { period: `${report.from} – ${report.to}`, ...report.totals },
      { period: prev ? `${prev.from} – ${prev.to}` : '—', ...report.previous },
    ];
    const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, reachByHour: report.reachByHour[hour] ?? 0, interactionsByHour: report.interactionsByHour[hour] ?? 0 }));
    const hourCols = (['reachByHour', 'interactionsByHour'] as const).map((k) => {
      const m = metricsOf('profile').find((d) => d.key === k)!;
      return { key: k, label: m.label, type: 'int' as const, definition: m.definition, metric: m };
    });
    return {
      ...head,
      primary: 'series',
      tables: [
        table('totals', t('Chỉ số chính', 'Key figures'), totals, [period], (rows) => metricColumns('overview', rows)),
        table('funnel', t('Phễu khách hàng', 'Funnel'), [report.funnel], NO_LEAD, (rows) => metricColumns('funnel', rows)),
        table('series', monthly ? t('Theo tháng', 'By month') : t('Theo ngày', 'By day'), report.series, [monthly ? { ...field('date', 'month'), label: label('month') } : field('date', 'date')], (rows) => metricColumns('overview', rows)),
        table('hours', t('Theo giờ trong ngày', 'By hour of day'), hours, [field('hour', 'hour')], hourCols),
        table('topStaff', t('Nhân viên nổi bật', 'Top staff'), report.topStaff, STAFF_LEAD, (rows) => metricColumns('staff-sales', rows)),
      ],
    };
  }
  if (name === 'conversations') {
    const lead = [field('date', 'date'), { ...field('hour', 'hour'), optional: true }, { ...field('pageId', 'id'), optional: true }, { ...field('channel', 'text', { values: CHANNEL_NAMES }), optional: true }];
    return { ...head, primary: 'rows', tables: [table('rows', t('Hội thoại', 'Conversations'), report.rows, lead, (rows) => metricColumns('overview', rows))] };
  }
  if ('shifts' in report) {
    const shiftLead = [field('shift', 'text', { values: SHIFT_NAMES }), field('waitsClosed', 'int'), field('withinSla', 'int')];
    return {
      ...head,
      primary: 'rows',
      tables: [
        table('rows', t('Nhân viên chat', 'Chat staff'), report.rows, STAFF_LEAD, (rows) => metricColumns('staff-chat', rows)),
        table('shifts', t('Theo ca', 'By shift'), report.shifts, shiftLead, (rows) => metricColumns('staff-chat', rows, ['slaMetRate', 'missedConversations'])),
      ],
    };
  }
  if ('campaigns' in report) {
    const adLead = [field('adId', 'id'), field('adName', 'text', { label: t('Tên quảng cáo', 'Ad name') }), field('campaignId', 'id'), field('campaignName', 'text', { label: t('Tên chiến dịch', 'Campaign name') })];
    return {
      ...head,
      primary: 'rows',
      tables: [
        table('rows', t('Quảng cáo', 'Ads'), report.rows, adLead, (rows) => metricColumns('ads', rows)),
        table('campaigns', t('Theo chiến dịch', 'By campaign'), report.campaigns, [field('campaignId', 'id'), field('campaignName', 'text', { label: t('Tên chiến dịch', 'Campaign name') })], (rows) => metricColumns('ads', rows)),
      ],
    };
  }
  if (name === 'staff-sales') return { ...head, primary: 'rows', tables: [table('rows', t('Nhân viên bán hàng', 'Sales staff'), report.rows, STAFF_LEAD, (rows) => metricColumns('staff-sales', rows))] };
  return { ...head, primary: 'rows', tables: [table('rows', t('Chương trình giới thiệu', 'Referral programme'), report.rows, NO_LEAD, (rows) => metricColumns('referrals', rows))] };
}

/** The conversation export's columns (`GET /v1/shops/{shopId}/exports/conversations`), in order. */
export const EXPORT_TABLE_COLUMNS: readonly Column[] = [
  field('pageId', 'id'),
  field('pageName', 'text', { label: t('Tên trang', 'Page name') }),
  field('channel', 'text', { values: CHANNEL_NAMES }),
  field('customerId', 'id', { label: t('Mã khách', 'Customer id') }),
  field('firstInboundAt', 'datetime', { label: t('Tin đầu tiên', 'First inbound') }),
  field('lastInboundAt', 'datetime', { label: t('Tin cuối cùng', 'Last inbound') }),
  field('messages', 'int', { label: t('Tin nhắn', 'Messages') }),
  field('comments', 'int', { label: t('Bình luận', 'Comments') }),
  field('firstResponseSeconds', 'seconds', { label: t('Phản hồi đầu tiên', 'First response'), definition: t('Thời gian chờ (giờ làm việc) đến câu trả lời đầu tiên', 'Working time until the first reply') }),
  field('replies', 'int', { label: t('Trả lời', 'Replies') }),
  field('staff', 'id', { label: t('Mã nhân viên', 'Staff ids') }),
  field('staffNames', 'text', { label: t('Nhân viên', 'Staff') }),
  field('adId', 'id'),
  field('ordersCreated', 'int', { label: t('Đơn đã tạo', 'Orders created') }),
  field('ordersValue', 'money', { label: t('Giá trị đơn', 'Orders value') }),
  field('status', 'text', { label: t('Trạng thái', 'Status'), values: STATUS_NAMES }),
];

/** The conversation export as one table; staff ids joined with a space (as the CSV always had), names with `, `. */
export function exportTable(rows: readonly object[], currency: string, timezone: string): TableSet {
  const flat = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.isArray(v) ? v.join(k === 'staff' ? ' ' : ', ') : v])));
  return { currency, timezone, primary: 'conversations', tables: [{ id: 'conversations', title: t('Hội thoại', 'Conversations'), columns: [...EXPORT_TABLE_COLUMNS], rows: flat }] };
}

/** A table's header in a language, or the keys (`lang` not given: CSV for machines). */
export function headerOf(table: Table, locale?: Locale): string[] {
  return table.columns.map((c) => (locale ? c.label[locale] : c.key));
}

/** `lang=vi|en` of a query as a Locale. */
export const LANGS = { vi: 'vi-VN', en: 'en' } as const satisfies Record<string, Locale>;
