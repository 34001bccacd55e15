import { z } from 'zod';
import { channelSchema } from '#lib/events/schema.ts';
import { ValidationError } from '#lib/errors.ts';
import { daysBetween, isValidDate } from '#lib/time/zone.ts';
import { REPORT_NAMES, type ReportName } from '#lib/reports/types.ts';

export const MAX_RANGE_DAYS = 366;

const date = z.string().refine(isValidDate, 'expected a date YYYY-MM-DD');

/** Query parameters of `GET /v1/shops/{shopId}/reports/{report}`. */
export const reportQuerySchema = z
  .object({
    from: date,
    to: date,
    pageId: z.array(z.string().min(1)).default([]),
    channel: channelSchema.optional(),
    granularity: z.enum(['day', 'hour']).default('day'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .superRefine((q, ctx) => {
    if (!isValidDate(q.from) || !isValidDate(q.to)) return;
    if (q.from > q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' });
    else if (daysBetween(q.from, q.to) + 1 > MAX_RANGE_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `a range is at most ${MAX_RANGE_DAYS} days` });
  });

export type ReportQuery = z.infer<typeof reportQuerySchema>;

/** Reads the query string (repeated `pageId` kept) and validates it; unknown parameters are refused. */
export function parseReportQuery(params: URLSearchParams): ReportQuery {
  const known = new Set(['from', 'to', 'pageId', 'channel', 'granularity', 'format']);
  const unknown = [...new Set(params.keys())].filter((k) => !known.has(k));
  const input: Record<string, unknown> = { pageId: params.getAll('pageId').flatMap((p) => p.split(',')).filter(Boolean) };
  for (const k of ['from', 'to', 'channel', 'granularity', 'format']) {
    const v = params.get(k);
    if (v !== null) input[k] = v;
  }
  const r = reportQuerySchema.safeParse(input);
  const issues = [
    ...unknown.map((k) => ({ path: k, message: 'unknown parameter' })),
    ...(r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.') || 'query', message: i.path.length === 1 && i.code === 'invalid_type' && i.input === undefined ? 'required' : i.message }))),
  ];
  if (issues.length > 0 || !r.success) throw new ValidationError('Invalid report query', issues);
  return r.data;
}

export function parseReportName(name: string): ReportName | undefined {
  return (REPORT_NAMES as readonly string[]).includes(name) ? (name as ReportName) : undefined;
}
