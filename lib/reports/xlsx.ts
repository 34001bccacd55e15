import type { Locale } from '#lib/shops/schema.ts';
import { currencyDigits } from '#lib/money.ts';
import { localParts } from '#lib/time/zone.ts';
import type { Column, Table, TableSet } from '#lib/reports/table.ts';

/**
 * `format=xlsx`: the tables of a report (lib/reports/table.ts) as a
 * workbook for people who open reports in a spreadsheet (Excel,
 * LibreOffice, Google Sheets, in a Vietnamese locale too). One sheet per
 * table, headers in the chosen language, the header row frozen, and typed
 * cells, so no reader has to guess: counts and money are numbers (money
 * with the currency's symbol and digits), rates are percentages, ROAS a
 * ×N number, days are dates and instants are date-times on the shop's wall
 * clock, durations are [h]:mm:ss, and ids are text (a 17-digit ad id never
 * becomes 2.385E+16). Number formats use Excel's locale-neutral codes
 * (`#,##0.00`): the reader's spreadsheet shows its own separators.
 *
 * Written with `write-excel-file` (depends on fflate only), imported only
 * when an xlsx is asked for (`#xlsx-writer`, lib/reports/xlsx-writer.ts).
 */

type Cell = { value?: string | number | Date; type?: StringConstructor | NumberConstructor | DateConstructor; format?: string; fontWeight?: 'bold'; wrap?: boolean; backgroundColor?: string; alignVertical?: 'top' };

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Excel number format of an amount in `currency`: `#,##0 "₫"` (vi-VN, VND), `"$"#,##0.00` (en, USD). */
export function moneyFormat(currency: string, locale: Locale): string {
  const parts = new Intl.NumberFormat(locale, { style: 'currency', currency }).formatToParts(0);
  const symbol = parts.find((p) => p.type === 'currency')?.value ?? currency;
  const digits = currencyDigits(currency);
  const number = digits > 0 ? `#,##0.${'0'.repeat(digits)}` : '#,##0';
  const quoted = `"${symbol.replace(/"/g, '')}"`;
  const symbolFirst = parts.findIndex((p) => p.type === 'currency') < parts.findIndex((p) => p.type === 'integer');
  return symbolFirst ? `${quoted}${number}` : `${number} ${quoted}`;
}

const DATE = { 'vi-VN': 'dd/mm/yyyy', en: 'yyyy-mm-dd' } as const;
const MONTH = { 'vi-VN': 'mm/yyyy', en: 'mmm yyyy' } as const;
const DATETIME = { 'vi-VN': 'dd/mm/yyyy hh:mm:ss', en: 'yyyy-mm-dd hh:mm:ss' } as const;

/** A wall-clock time as the Date whose UTC fields show it (the writer takes a Date's UTC fields as the cell's time). */
const wall = (y: number, m: number, d: number, h = 0, mi = 0, s = 0) => new Date(Date.UTC(y, m - 1, d, h, mi, s));

/** One typed cell of a column; null for an empty value. */
export function xlsxCell(c: Column, v: unknown, currency: string, timezone: string, locale: Locale): Cell | null {
  if (v === null || v === undefined || v === '') return null;
  const num = typeof v === 'number' && Number.isFinite(v);
  switch (c.type) {
    case 'int':
      return num ? { value: v, type: Number, format: '#,##0' } : text(v);
    case 'number':
      return num ? { value: v, type: Number } : text(v);
    case 'money':
      return num ? { value: v, type: Number, format: moneyFormat(currency, locale) } : text(v);
    case 'rate':
      return num ? { value: v, type: Number, format: '0.0%' } : text(v);
    case 'multiple':
      return num ? { value: v, type: Number, format: '0.00"×"' } : text(v);
    case 'seconds':
      return num ? { value: v / 86_400, type: Number, format: '[h]:mm:ss' } : text(v);
    case 'hour':
      return num ? { value: v, type: Number, format: '00":00"' } : text(v);
    case 'date': {
      const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
      return m ? { value: wall(+m[1]!, +m[2]!, +m[3]!), type: Date, format: DATE[locale] } : text(v);
    }
    case 'month': {
      const m = typeof v === 'string' ? /^(\d{4})-(\d{2})$/.exec(v) : null;
      return m ? { value: wall(+m[1]!, +m[2]!, 1), type: Date, format: MONTH[locale] } : text(v);
    }
    case 'datetime': {
      const ms = typeof v === 'string' ? Date.parse(v) : NaN;
      if (!Number.isFinite(ms)) return text(v);
      const p = localParts(ms, timezone);
      const [y, mo, d] = p.date.split('-').map(Number) as [number, number, number];
      return { value: wall(y, mo, d, p.hour, p.minute, p.second), type: Date, format: DATETIME[locale] };
    }
    case 'text':
      return text(c.values?.[String(v)]?.[locale] ?? v);
    case 'id':
    default:
      return text(v);
  }
}

function text(v: unknown): Cell {
  return { value: typeof v === 'object' ? JSON.stringify(v) : String(v), type: String };
}

/** A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique in the workbook. */
function sheetNames(tables: Table[], locale: Locale): string[] {
  const used = new Set<string>();
  return tables.map((t) => {
    const base = t.title[locale].replace(/[[\]:*?/\\]/g, ' ').trim().slice(0, 31) || t.id.slice(0, 31);
    let name = base;
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base.slice(0, 31 - String(i).length - 1)} ${i}`;
    used.add(name.toLowerCase());
    return name;
  });
}

const HEADER: Cell = { fontWeight: 'bold', wrap: true, backgroundColor: '#E6F2F1', alignVertical: 'top' };

/** The sheets of a table set (no file yet): header row then one row per table row. Exposed for tests. */
export function xlsxSheets(set: TableSet, locale: Locale) {
  const names = sheetNames(set.tables, locale);
  return set.tables.map((t, i) => ({
    sheet: names[i]!,
    stickyRowsCount: 1,
    columns: t.columns.map((c) => ({ width: Math.min(40, Math.max(12, c.label[locale].length + 2, c.type === 'id' ? 20 : 0)) })),
    data: [
      t.columns.map((c) => ({ ...HEADER, value: c.label[locale], type: String })),
      ...t.rows.map((r) => t.columns.map((c) => xlsxCell(c, r[c.key], set.currency, set.timezone, locale))),
    ],
  }));
}

/** The workbook as bytes. */
export async function toXlsx(set: TableSet, locale: Locale): Promise<Buffer> {
  const { default: writeExcelFile } = await import('#xlsx-writer');
  // the writer's types describe Cell values as boxed String/Number; ours are plain values of the same shape
  return writeExcelFile(xlsxSheets(set, locale) as unknown as Parameters<typeof writeExcelFile>[0] & object[], { fontFamily: 'Calibri', fontSize: 11 }).toBuffer();
}
