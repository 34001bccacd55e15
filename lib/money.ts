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

/** Major units → integer minor units, rounding half away from zero. */
export function toMinor(amount: number, currency: string): number {
  // 15 significant digits drop the binary noise (1.005 × 100 = 100.49999999999999) before rounding
  const scaled = Number((amount * 10 ** currencyDigits(currency)).toPrecision(15));
  return Math.sign(scaled) * Math.round(Math.abs(scaled));
}

/** Integer minor units → major units. */
export function fromMinor(minor: number, currency: string): number {
  const d = currencyDigits(currency);
  return d === 0 ? minor : Number((minor / 10 ** d).toFixed(d));
}
