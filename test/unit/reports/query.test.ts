import { describe, expect, it } from 'vitest';
import { parseReportQuery, reportQuerySchema, validateReportQuery } from '#lib/reports/query.ts';
import { ValidationError } from '#lib/errors.ts';

const details = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).details;
  }
  throw new Error('expected a ValidationError');
};

describe('report query', () => {
  it('applies defaults and keeps repeated pageId', () => {
    expect(parseReportQuery(new URLSearchParams('from=2026-11-16&to=2026-11-22&pageId=p1&pageId=p2'))).toEqual({
      from: '2026-11-16', to: '2026-11-22', pageId: ['p1', 'p2'], granularity: 'day', format: 'json',
    });
    expect(parseReportQuery({ from: '2026-11-16', to: '2026-11-16', pageId: 'p1', channel: 'zalo', granularity: 'hour', format: 'csv' })).toEqual({
      from: '2026-11-16', to: '2026-11-16', pageId: ['p1'], channel: 'zalo', granularity: 'hour', format: 'csv',
    });
    expect(reportQuerySchema.parse({ from: '2026-11-16', to: '2026-11-16', pageId: 'p1' }).pageId).toEqual(['p1']);
    expect(reportQuerySchema.parse({ from: '2026-11-16', to: '2026-11-16' }).pageId).toEqual([]);
  });

  it('refuses bad dates, reversed and too long ranges, unknown values', () => {
    expect(details(() => parseReportQuery(new URLSearchParams('from=2026-02-30&to=2026-03-01')))).toEqual([{ path: 'from', message: 'expected a date YYYY-MM-DD from 2000-01-01 to 2099-12-31' }]);
    expect(details(() => parseReportQuery(new URLSearchParams('to=2026-03-01')))).toEqual([{ path: 'from', message: 'required' }]);
    expect(details(() => parseReportQuery(new URLSearchParams('from=2026-11-17&to=2026-11-16')))).toEqual([{ path: 'from', message: 'from must not be after to' }]);
    // 2025-11-16 … 2026-11-16 is 366 days: allowed; one more day is not
    expect(parseReportQuery(new URLSearchParams('from=2025-11-16&to=2026-11-16')).from).toBe('2025-11-16');
    expect(details(() => parseReportQuery(new URLSearchParams('from=2025-11-15&to=2026-11-16')))).toEqual([{ path: 'to', message: 'a range is at most 366 days' }]);
    const d = details(() => parseReportQuery(new URLSearchParams('from=2026-11-16&to=2026-11-16&channel=tiktok&granularity=week&x=1'))) as Array<{ path: string }>;
    expect(d.map((i) => i.path).sort()).toEqual(['channel', 'granularity', 'x']);
    expect(details(() => validateReportQuery({ from: '2026-11-16', to: '2026-11-16', format: 'xml' }))).toEqual([{ path: 'format', message: expect.any(String) }]);
  });
});
