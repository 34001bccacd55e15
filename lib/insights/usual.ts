/**
 * The usual range of a figure, from its values in the comparison periods
 * (for a daily digest the same weekday of the four weeks before, for a
 * weekly one the four weeks before).
 *
 * Centre: the median, so one livestream day among the four does not move
 * it. Spread: the median absolute deviation scaled to a standard deviation
 * (× 1.4826), which a single outlier does not move either. Four values are
 * few: three equal Mondays give a MAD of 0 and would flag any change, so
 * the spread never goes below a noise floor that the figure's own size
 * implies (see `FigureNoise`): counting noise (√n for a count of n events,
 * the binomial spread for a rate over n waits) and a relative floor for
 * ordinary day-to-day swings. The spread is then widened by √(1 + π/2n),
 * since today is compared with a median of only n values, itself uncertain. A value is unusual when it lies more than
 * `Z` spreads from the median and also moved by a practical amount
 * (`minChange`, `minRelative`), so a shop that usually misses 1
 * conversation is not told that 4 is "4× usual".
 *
 * Shape. A rate (SLA) is bounded on both sides: its range is symmetric,
 * median ± Z spreads. Counts, money, times and ratios are positive and
 * skewed: they can triple on a good day but never fall below zero, so a
 * symmetric range puts its lower bound too low (at or under zero for a
 * figure resting on few events, where a collapse to a fifth could never be
 * told) and its upper bound too close. Their range is that of a gamma
 * distribution with the same centre and coefficient of variation
 * c = spread / median, through the Wilson–Hilferty cube-root normal
 * approximation: median × (1 − c²/9 ± Z·c/3)³.
 */

/** Spreads from the median beyond which a value is unusual. */
export const Z = 3;
/** Comparison periods with data needed before anything is called unusual. */
export const MIN_HISTORY = 3;
/** The MAD of a normal sample is this fraction of its standard deviation (1 / 1.4826). */
const MAD_TO_SD = 1.4826;

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median absolute deviation from the median. */
export function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

/** How much a figure of a given size moves by chance, and how much is worth a word. */
export type FigureNoise = {
  /** spread expected from counting alone, given the usual value (and its event count) */
  counting: number;
  /** spread as a fraction of the usual value: ordinary day-to-day swings */
  relative: number;
  /** smallest absolute change worth telling */
  minChange: number;
  /** smallest change relative to the usual value worth telling (0.3 = 30 %) */
  minRelative: number;
};

export type UsualRange = { usual: number; low: number; high: number; spread: number };

/** `normal`: median ± Z spreads (rates); `skewed`: the gamma range of a positive figure (see above). */
export type RangeShape = 'normal' | 'skewed';

/** The usual value and range of `history` (null entries are periods without the figure's denominator). */
export function usualRange(history: ReadonlyArray<number | null>, noise: (usual: number) => FigureNoise, shape: RangeShape = 'normal'): UsualRange | null {
  const xs = history.filter((x): x is number => x !== null && Number.isFinite(x));
  if (xs.length < MIN_HISTORY) return null;
  const usual = median(xs);
  const n = noise(usual);
  // today's distance from a median of n values varies by √(1 + π/2n) of one value's spread (the median's own error)
  const spread = Math.max(MAD_TO_SD * mad(xs), n.counting, n.relative * Math.abs(usual)) * Math.sqrt(1 + Math.PI / (2 * xs.length));
  if (shape === 'skewed' && usual > 0) {
    const c = spread / usual;
    const at = (z: number) => usual * Math.max(0, 1 - (c * c) / 9 + (z * c) / 3) ** 3;
    return { usual, low: at(-Z), high: at(Z), spread };
  }
  return { usual, low: usual - Z * spread, high: usual + Z * spread, spread };
}

/** True when `value` lies outside the usual range by a change worth telling. */
export function isUnusual(value: number, range: UsualRange, noise: FigureNoise): boolean {
  if (value >= range.low && value <= range.high) return false;
  const change = Math.abs(value - range.usual);
  if (change < noise.minChange) return false;
  return range.usual === 0 || change >= noise.minRelative * Math.abs(range.usual);
}
