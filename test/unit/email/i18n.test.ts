import { describe, expect, it } from 'vitest';
import { formatChange, formatDayRange, formatDuration, formatInstant, formatMoney, formatMultiple, formatNumber, formatPercent } from '#lib/email/i18n.ts';

describe('digest formatting', () => {
  it('formats money in any ISO-4217 currency with its own fraction digits', () => {
    expect(formatMoney(1_250_000, 'VND', 'vi-VN')).toBe('1.250.000 ₫');
    expect(formatMoney(1_250_000, 'VND', 'en')).toBe('₫1,250,000');
    expect(formatMoney(1250.5, 'USD', 'en')).toBe('$1,250.50');
    expect(formatMoney(1250.5, 'USD', 'vi-VN')).toBe('1.250,50 US$');
    expect(formatMoney(-5000, 'VND', 'vi-VN')).toBe('-5.000 ₫');
    expect(formatMoney(1000, 'JPY', 'en')).toBe('¥1,000');
  });

  it('formats counts, rates and ROAS', () => {
    expect(formatNumber(12345, 'vi-VN')).toBe('12.345');
    expect(formatNumber(12345, 'en')).toBe('12,345');
    expect(formatPercent(0.285, 'vi-VN')).toBe('28,5%');
    expect(formatPercent(0.285, 'en')).toBe('28.5%');
    expect(formatPercent(null, 'en')).toBe('—');
    expect(formatMultiple(3.2, 'vi-VN')).toBe('3,2x');
    expect(formatMultiple(null, 'en')).toBe('—');
  });

  it('formats a change with an arrow, "—" when there is no previous value', () => {
    expect(formatChange(125, 100, 'en')).toEqual({ direction: 'up', text: '▲ 25%' });
    expect(formatChange(80, 100, 'vi-VN')).toEqual({ direction: 'down', text: '▼ 20%' });
    expect(formatChange(103, 100, 'vi-VN')).toEqual({ direction: 'up', text: '▲ 3%' });
    expect(formatChange(1025, 1000, 'vi-VN')).toEqual({ direction: 'up', text: '▲ 2,5%' });
    expect(formatChange(5, 0, 'en')).toEqual({ direction: 'none', text: '—' });
    expect(formatChange(100, 100, 'en')).toEqual({ direction: 'flat', text: '0%' });
    expect(formatChange(-50, -100, 'en')).toEqual({ direction: 'up', text: '▲ 50%' }); // a smaller loss
  });

  it('formats durations with the two largest units', () => {
    expect(formatDuration(125, 'vi-VN')).toBe('2 phút 5 giây');
    expect(formatDuration(125, 'en')).toBe('2m 5s');
    expect(formatDuration(120, 'vi-VN')).toBe('2 phút');
    expect(formatDuration(45, 'en')).toBe('45s');
    expect(formatDuration(3900, 'vi-VN')).toBe('1 giờ 5 phút');
    expect(formatDuration(3605, 'en')).toBe('1h'); // seconds dropped beyond two units
    expect(formatDuration(90_000, 'en')).toBe('1d 1h');
    expect(formatDuration(0, 'en')).toBe('0s');
    expect(formatDuration(null, 'vi-VN')).toBe('—');
  });

  it('formats dates in the shop zone and day ranges', () => {
    expect(formatInstant('2026-11-23T01:00:00Z', 'Asia/Ho_Chi_Minh', 'vi-VN')).toBe('08:00 23/11/2026 (GMT+7)');
    expect(formatInstant('2026-11-23T01:00:00Z', 'America/New_York', 'en')).toBe('Nov 22, 2026, 20:00 (GMT-5)');
    expect(formatDayRange('2026-11-16', '2026-11-22', 'vi-VN')).toBe('16/11 – 22/11/2026');
    expect(formatDayRange('2025-12-29', '2026-01-04', 'vi-VN')).toBe('29/12/2025 – 04/01/2026');
    expect(formatDayRange('2025-12-29', '2026-01-04', 'en')).toBe('Dec 29, 2025 – Jan 4, 2026');
  });
});
