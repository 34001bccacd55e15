import { ValidationError, type FieldIssue } from '#lib/errors.ts';

/** Money is kept as integers in the currency's minor units, so sums are exact. */
const digitsCache = new Map<string, number>();

/** Fraction digits of an ISO-4217 currency (VND 0, USD 2, …). */
export function currencyDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, d);
  }
  return d;
}

/**
 * The largest amount in minor units kept exactly: 15 significant digits
 * (below 2^53, and the precision toMinor rounds through). Sums over many such
 * amounts stay exact up to 2^53 ≈ 9 × 10^15.
 */
export const MAX_EXACT_MINOR = 999_999_999_999_999;

/** An amount that cannot be held exactly in minor units (400 wherever amounts enter). */
export class MoneyRangeError extends ValidationError {
  constructor(amount: number, currency: string) {
    super(`Amount ${amount} ${currency} is too large to be kept exactly`, [
      { path: '', message: `at most ${MAX_EXACT_MINOR} minor units (${fromMinor(MAX_EXACT_MINOR, currency)} ${currency})` },
    ]);
  }
}

/** True when `amount` of `currency` converts to minor units without losing a digit. */
export function isExactAmount(amount: number, currency: string): boolean {
  return Number.isFinite(amount) && Math.abs(amount * 10 ** currencyDigits(currency)) <= MAX_EXACT_MINOR + 0.5;
}

/**
 * Major units → integer minor units, rounding half away from zero. Throws
 * MoneyRangeError (a 400) for an amount beyond MAX_EXACT_MINOR minor units,
 * such as `toMinor(9999999999999.999, 'KWD')`, rather than dropping digits.
 */
export function toMinor(amount: number, currency: string): number {
  if (!isExactAmount(amount, currency)) throw new MoneyRangeError(amount, currency);
  // 15 significant digits drop the binary noise (1.005 × 100 = 100.49999999999999) before rounding
  const scaled = Number((amount * 10 ** currencyDigits(currency)).toPrecision(15));
  return Math.sign(scaled) * Math.round(Math.abs(scaled));
}

/** Issues for every amount of these events that cannot be exact in `currency`, in the `{index, path, message}` shape. */
export function amountIssues(events: ReadonlyArray<object>, currency: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  events.forEach((e, index) => {
    for (const field of ['total', 'cost', 'amount'] as const) {
      const v = (e as Record<string, unknown>)[field];
      if (typeof v === 'number' && !isExactAmount(v, currency)) {
        issues.push({ index, path: field, message: `${v} ${currency} cannot be kept exactly: at most ${fromMinor(MAX_EXACT_MINOR, currency)} ${currency}` });
      }
    }
  });
  return issues;
}

/** Integer minor units → major units. */
export function fromMinor(minor: number, currency: string): number {
  const d = currencyDigits(currency);
  return d === 0 ? minor : Number((minor / 10 ** d).toFixed(d));
}
