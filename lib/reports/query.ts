import * as z from '#lib/zod.ts';
import { channelSchema } from '#lib/events/channel.ts';
import { ValidationError, type FieldIssue } from '#lib/errors.ts';
import { daysBetween, isValidDate, DATE_RULE } from '#lib/time/zone.ts';
import { REPORT_NAMES, type ReportName } from '#lib/reports/types.ts';

export const MAX_RANGE_DAYS = 366;

const date = z.string().check(z.refine(isValidDate, DATE_RULE), z.meta({ format: 'date', description: 'A local date in the shop time zone, inclusive' }));
const pageIdSchema = z.string().check(z.minLength(1), z.maxLength(256));

/**
 * Query parameters of `GET /v1/shops/{shopId}/reports/{report}` (SPEC §4.1):
 * `from`/`to` inclusive local dates (from ≤ to, at most 366 days), `pageId`
 * one id or a list (repeated parameter), `channel`, `granularity` (default
 * day), `format` (default json), `lang` (labels; default the shop's locale).
 */
export const reportQuerySchema = z
  .object({
    from: date,
    to: date,
    pageId: z
      .pipe(
        z.optional(z.union([pageIdSchema, z.array(pageIdSchema)])),
        z.transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
      )
      .check(z.meta({ description: 'Only these pages (repeatable); default every page of the shop' })),
    channel: z.optional(channelSchema).check(z.meta({ description: 'Only the pages of this channel' })),
    granularity: z._default(z.enum(['day', 'hour']), 'day').check(z.meta({ description: 'Rows per day or per hour (conversations report)' })),
    format: z._default(z.enum(['json', 'csv', 'xlsx', 'html']), 'json').check(z.meta({ description: 'json; csv (for machines); xlsx (a spreadsheet for people: typed cells, one sheet per table); or html (a page with the digest look)' })),
    lang: z.optional(z.enum(['vi', 'en'])).check(z.meta({ description: "Language of the labels (xlsx and html headers; CSV headers, which are the JSON keys without it). Default: the shop's locale (CSV: keys)" })),
  })
  .check(
    z.superRefine((q, ctx) => {
      if (!isValidDate(q.from) || !isValidDate(q.to)) return;
      if (q.from > q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' });
      else if (daysBetween(q.from, q.to) + 1 > MAX_RANGE_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `a range is at most ${MAX_RANGE_DAYS} days` });
    }),
  );

export type ReportQuery = z.infer<typeof reportQuerySchema>;
export type ReportQueryInput = z.input<typeof reportQuerySchema>;

const KNOWN = ['from', 'to', 'pageId', 'channel', 'granularity', 'format', 'lang'] as const;

/**
 * Validates report query parameters, given as `URLSearchParams` (repeated
 * `pageId` kept) or as a plain object (API Gateway's query parameters, where
 * `pageId` may be a string or a list). A comma-separated `pageId` is split.
 * Unknown parameters are refused.
 *
 * @throws ValidationError with details `[{path, message}]`
 */
export function parseReportQuery(params: URLSearchParams | Record<string, string | string[] | undefined>): ReportQuery {
  const get = (k: string): string[] =>
    params instanceof URLSearchParams ? params.getAll(k) : ([] as string[]).concat(params[k] ?? []);
  const names = params instanceof URLSearchParams ? [...new Set(params.keys())] : Object.keys(params).filter((k) => params[k] !== undefined);
  const issues: FieldIssue[] = names.filter((k) => !(KNOWN as readonly string[]).includes(k)).map((k) => ({ path: k, message: 'unknown parameter' }));
  const input: Record<string, unknown> = {};
  const pageIds = get('pageId').flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
  if (pageIds.length > 0) input.pageId = pageIds;
  for (const k of KNOWN) {
    if (k === 'pageId') continue;
    const v = get(k);
    if (v.length > 1) issues.push({ path: k, message: 'must be given once' });
    if (v.length > 0) input[k] = v[0];
  }
  const r = reportQuerySchema.safeParse(input);
  if (!r.success) issues.push(...r.error.issues.map(issueOf));
  if (issues.length > 0 || !r.success) throw new ValidationError('Invalid report query', issues);
  return r.data;
}

/** Validates an already-decoded query object (used by callers inside lib/). */
export function validateReportQuery(input: ReportQueryInput | Record<string, unknown>): ReportQuery {
  const r = reportQuerySchema.safeParse(input);
  if (!r.success) throw new ValidationError('Invalid report query', r.error.issues.map(issueOf));
  return r.data;
}

function issueOf(i: z.core.$ZodIssue): FieldIssue {
  const missing = i.code === 'invalid_type' && i.input === undefined;
  return { path: i.path.map(String).join('.') || 'query', message: missing ? 'required' : i.message };
}

/** The report name of a path segment, or undefined when there is no such report. */
export function parseReportName(name: string): ReportName | undefined {
  return (REPORT_NAMES as readonly string[]).includes(name) ? (name as ReportName) : undefined;
}
