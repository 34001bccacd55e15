import * as z from '#lib/zod.ts';
import { ValidationError, type FieldIssue } from '#lib/errors.ts';
import type { Locale } from '#lib/shops/schema.ts';
import { DATE_RULE, isValidDate } from '#lib/time/zone.ts';

export type InsightsPeriod = 'daily' | 'weekly';

/** Query of `GET /v1/shops/{shopId}/insights`: the day (or a day of the ISO week), the period, the language of the sentences. */
export const insightsQuerySchema = z.object({
  date: z.string().check(z.refine(isValidDate, DATE_RULE), z.meta({ format: 'date', description: 'A local date in the shop time zone: the day (daily) or any day of the ISO week (weekly)' })),
  period: z._default(z.enum(['daily', 'weekly']), 'daily').check(z.meta({ description: 'daily: against the same weekday of the four weeks before; weekly: against the four weeks before' })),
  lang: z.optional(z.enum(['vi', 'en'])).check(z.meta({ description: "Language of the sentences; default the shop's locale" })),
});

/**
 * Validates the insights query (unknown or repeated parameters refused).
 *
 * @throws ValidationError with details `[{path, message}]`
 */
export function parseInsightsQuery(params: URLSearchParams): { date: string; period: InsightsPeriod; lang?: Locale } {
  const input: Record<string, string> = {};
  const issues: FieldIssue[] = [];
  for (const k of new Set(params.keys())) {
    if (!['date', 'period', 'lang'].includes(k)) issues.push({ path: k, message: 'unknown parameter' });
    else if (params.getAll(k).length > 1) issues.push({ path: k, message: 'must be given once' });
    else input[k] = params.get(k)!;
  }
  const q = insightsQuerySchema.safeParse(input);
  if (!q.success) issues.push(...q.error.issues.map((i) => ({ path: i.path.map(String).join('.') || 'query', message: i.code === 'invalid_type' && i.input === undefined ? 'required' : i.message })));
  if (issues.length > 0 || !q.success) throw new ValidationError('Invalid insights query', issues);
  return { date: q.data.date, period: q.data.period, ...(q.data.lang ? { lang: q.data.lang === 'en' ? ('en' as const) : ('vi-VN' as const) } : {}) };
}
