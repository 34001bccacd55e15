import type { AnyReport } from '#lib/reports/build.ts';
import type { ReportName } from '#lib/reports/types.ts';

const TOTALS = [
  'customersReached',
  'customersCared',
  'newCustomers',
  'messagesReceived',
  'commentsReceived',
  'messageConversations',
  'ordersCreated',
  'ordersCancelled',
  'orders',
  'ordersDelivered',
  'ordersReturned',
  'deliveries',
  'deliveredRevenue',
  'revenue',
  'provisionalRevenue',
  'grossProfit',
  'costCoverage',
  'closeRate',
  'pagesActivated',
  'channelsConnected',
];

/** Columns used when a report has no row to take them from. */
const EMPTY_COLUMNS: Record<ReportName, string[]> = {
  overview: ['date', ...TOTALS],
  conversations: ['date', ...TOTALS],
  'staff-chat': ['staffId', 'name', 'responseTimeMedianSeconds', 'responseTimeP90Seconds', 'responseTimeAvgSeconds', 'messageReplies', 'commentReplies', 'conversationsAnswered', 'missedConversations'],
  'staff-sales': ['staffId', 'name', 'ordersCreated', 'orders', 'revenue', 'grossProfit', 'costCoverage', 'customersCared', 'conversionRate'],
  ads: ['adId', 'adName', 'campaignId', 'campaignName', 'conversationsStarted', 'customersReached', 'ordersCreated', 'orders', 'revenue', 'spend', 'roas', 'costPerOrder', 'costPerConversation'],
  referrals: ['participants', 'referred', 'sharers', 'shareRate', 'referralOrders', 'referralRevenue'],
};

/** A text a spreadsheet would run as a formula: it starts with `=`, `+`, `-`, `@`, a tab or a CR (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number such as `-5` or `-1.5`: a spreadsheet reads it as that number, never as a formula. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF (quotes
 * doubled); null and undefined are empty. Text that a spreadsheet would run
 * as a formula (`=HYPERLINK(…)`, `@SUM(1)`, `+1`, `-2+3`, a leading tab or CR)
 * is neutralised as OWASP advises: prefixed with a single quote and quoted.
 * Numbers, and text that is a plain negative number, stay as they are.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  const formula = FORMULA_START.test(s) && !PLAIN_NUMBER.test(s);
  if (formula) s = `'${s}`;
  return formula || /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Nested objects (missed per shift) become `parent.child` columns. */
function flatten(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k2, v2] of Object.entries(v)) out[`${k}.${k2}`] = v2;
    else out[k] = v;
  }
  return out;
}

/**
 * A report as CSV for spreadsheets and BI tools: the overview's `series`, or
 * any other report's `rows` (the ads report's campaigns are not included).
 * A header row of field names in the rows' key order (nested objects such as
 * `missedByShift` flattened to `missedByShift.morning`), RFC 4180 quoting,
 * CRLF line ends, a UTF-8 byte-order mark first so Excel reads Vietnamese
 * names, numbers as JavaScript prints them (dot decimal, no grouping), null
 * as an empty field. `name` picks the header when there is no row.
 */
export function toCsv(report: AnyReport, name?: ReportName): string {
  const rows = ('series' in report ? report.series : report.rows) as Array<Record<string, unknown>>;
  const flat = rows.map(flatten);
  const columns: string[] = [];
  for (const r of flat) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  if (columns.length === 0) columns.push(...EMPTY_COLUMNS[name ?? ('series' in report ? 'overview' : 'campaigns' in report ? 'ads' : 'conversations')]);
  const lines = [columns.map(csvField).join(','), ...flat.map((r) => columns.map((c) => csvField(r[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
