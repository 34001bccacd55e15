import type { Locale } from '#lib/shops/schema.ts';
import type { AnyReport } from '#lib/reports/build.ts';
import type { ReportName } from '#lib/reports/types.ts';
import { headerOf, reportTables, type Table } from '#lib/reports/table.ts';

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

/**
 * One table as CSV for spreadsheets and BI tools: a header row (the JSON
 * keys, `missedByShift.morning` for a flattened map; the labels in `locale`
 * when one is given), RFC 4180 quoting, CRLF line ends, a UTF-8 byte-order
 * mark first so Excel reads Vietnamese names, values as the JSON has them
 * (numbers as JavaScript prints them: dot decimal, no grouping; null as an
 * empty field). CSV is for machines; people get `format=xlsx`.
 */
export function tableCsv(table: Table, locale?: Locale): string {
  const lines = [headerOf(table, locale).map(csvField).join(','), ...table.rows.map((r) => table.columns.map((c) => csvField(r[c.key])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The report a JSON body is, when the caller does not say. */
function nameOf(report: AnyReport): ReportName {
  if ('totals' in report) return 'overview';
  if ('shifts' in report) return 'staff-chat';
  if ('campaigns' in report) return 'ads';
  const row = report.rows[0] as object | undefined;
  return row && 'date' in row ? 'conversations' : row && 'staffId' in row ? 'staff-sales' : 'referrals';
}

/**
 * A report as CSV: its primary table (lib/reports/table.ts), the overview's
 * `series` or any other report's `rows` (the ads report's campaigns and the
 * staff-chat shifts are in the xlsx and html only). `name` picks the columns
 * when there is no row; `locale` (`lang`) gives localized headers.
 */
export function toCsv(report: AnyReport, name: ReportName = nameOf(report), locale?: Locale): string {
  const set = reportTables(name, report);
  return tableCsv(set.tables.find((t) => t.id === set.primary)!, locale);
}
