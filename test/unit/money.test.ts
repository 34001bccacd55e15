import { describe, expect, it } from 'vitest';
import { amountIssues, currencyDigits, fromMinor, MoneyRangeError, toMinor } from '#lib/money.ts';

describe('currencyDigits', () => {
  it.each([
    ['VND', 0],
    ['USD', 2],
    ['JPY', 0],
    ['KWD', 3],
    ['EUR', 2],
    ['BHD', 3],
  ])('%s has %d fraction digits', (currency, digits) => {
    expect(currencyDigits(currency)).toBe(digits);
  });
});

describe('toMinor', () => {
  it.each([
    // [amount, currency, expected minor units, why]
    [250000, 'VND', 250000, 'VND has no minor unit'],
    [19.99, 'USD', 1999, '19.99 * 100 is 1998.9999999999998 in binary'],
    [0.1 + 0.2, 'USD', 30, '0.30000000000000004 → 30 cents'],
    [0.1 + 0.7, 'USD', 80, '0.7999999999999999 → 80 cents'],
    [1.1 + 2.2, 'USD', 330, '3.3000000000000003 → 330 cents'],
    [1.005, 'USD', 101, 'half a cent rounds up although 1.005 is stored as 1.00499999…'],
    [-1.005, 'USD', -101, 'and away from zero when negative'],
    [1.004, 'USD', 100, 'below half rounds down'],
    [2.5, 'JPY', 3, 'half a yen away from zero'],
    [-2.5, 'JPY', -3, 'not to even, not towards +∞'],
    [3.5, 'JPY', 4, 'half away from zero, not to even'],
    [0.5, 'VND', 1, 'half a dong'],
    [1.4999, 'VND', 1, 'below half'],
    [1.0005, 'KWD', 1001, 'half a fils'],
    [1.2345, 'KWD', 1235, '1234.5 fils'],
    [12.345, 'KWD', 12345, 'three decimals exactly'],
    [12345678.91, 'USD', 1234567891, 'large amount with cents'],
    [0, 'USD', 0, 'zero'],
  ])('%d %s → %d (%s)', (amount, currency, expected) => {
    expect(toMinor(amount, currency)).toBe(expected);
  });

  it('gives exact integers for sums of prices with two decimals', () => {
    // 0.1 * 3 = 0.30000000000000004; 0.07 * 100 = 7.000000000000001
    expect(toMinor(0.1 * 3, 'USD')).toBe(30);
    expect(toMinor(0.07, 'USD')).toBe(7);
    expect(toMinor(4.35, 'USD')).toBe(435); // 434.99999999999994
    expect(toMinor(1.15, 'USD')).toBe(115); // 114.99999999999999
    for (let cents = 0; cents < 100_000; cents += 7) expect(toMinor(cents / 100, 'USD')).toBe(cents);
  });

  // Regression (was a bug, fixed in lib/money.ts toMinor): the 1e-9 nudge that turns 1.005 into 101 is
  // below the spacing of doubles once the scaled amount passes 2^18 minor
  // units, so a decimal half at larger amounts is rounded down:
  // 262144.035 USD → 26214403.499999996 → 26214403, expected 26214404 (as
  // 1.005 → 101). Same for 4281334.225 → 428133422 (expected 428133423).
  it('rounds a half cent away from zero at larger amounts too', () => {
    expect(toMinor(262144.035, 'USD')).toBe(26214404);
    expect(toMinor(4281334.225, 'USD')).toBe(428133423);
  });
});

describe('fromMinor', () => {
  it.each([
    [1999, 'USD', 19.99],
    [30, 'USD', 0.3],
    [-101, 'USD', -1.01],
    [250000, 'VND', 250000],
    [3, 'JPY', 3],
    [1001, 'KWD', 1.001],
    [1234567891, 'USD', 12345678.91],
  ])('%d %s → %d', (minor, currency, expected) => {
    expect(fromMinor(minor, currency)).toBe(expected);
  });

  it('round-trips amounts that have at most the currency digits', () => {
    for (const [amount, currency] of [[19.99, 'USD'], [0.01, 'USD'], [1.234, 'KWD'], [99999.999, 'KWD'], [123456789, 'VND'], [1000, 'JPY']] as const)
      expect(fromMinor(toMinor(amount, currency), currency)).toBe(amount);
  });
});

describe('amounts that cannot be exact', () => {
  it('refuses 9999999999999.999 KWD (9 999 999 999 999 999 fils, past 2^53) instead of dropping digits', () => {
    expect(() => toMinor(9999999999999.999, 'KWD')).toThrow(MoneyRangeError);
    expect(() => toMinor(-9999999999999.999, 'KWD')).toThrow(MoneyRangeError);
    expect(() => toMinor(1e16, 'VND')).toThrow(MoneyRangeError);
    expect(() => toMinor(Number.POSITIVE_INFINITY, 'USD')).toThrow(MoneyRangeError);
  });

  it('keeps every amount up to 999 999 999 999 999 minor units (15 digits)', () => {
    expect(toMinor(999999999999.999, 'KWD')).toBe(999999999999999);
    expect(toMinor(9999999999999.99, 'USD')).toBe(999999999999999);
    expect(toMinor(999999999999999, 'VND')).toBe(999999999999999);
    expect(() => toMinor(1000000000000000, 'VND')).toThrow(MoneyRangeError);
  });

  it('lists each offending amount of a batch by index and field', () => {
    const events = [{ total: 10 }, { total: 9999999999999.999, cost: 1 }, { amount: 1e13 }];
    expect(amountIssues(events, 'KWD')).toEqual([
      { index: 1, path: 'total', message: expect.stringContaining('KWD') },
      { index: 2, path: 'amount', message: expect.stringContaining('KWD') },
    ]);
    expect(amountIssues(events.slice(0, 1), 'KWD')).toEqual([]);
    // 1e13 VND is 1e13 minor units: exact
    expect(amountIssues([{ amount: 1e13 }], 'VND')).toEqual([]);
  });
});
