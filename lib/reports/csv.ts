import type { AnyReport } from '#lib/reports/build.ts';

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; null and undefined are empty. */
function field(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
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
 * A report as CSV for spreadsheets and BI tools: the overview's daily series
 * or a report's rows, a header row of field names, CRLF line ends, and a
 * UTF-8 byte-order mark so Excel reads Vietnamese names correctly.
 */
export function toCsv(report: AnyReport): string {
  const rows = ('series' in report ? report.series : report.rows) as Array<Record<string, unknown>>;
  const flat = rows.map(flatten);
  const columns: string[] = [];
  for (const r of flat) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const lines = [columns.map(field).join(','), ...flat.map((r) => columns.map((c) => field(r[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
