import type { Period } from '#lib/store/keys.ts';
import { addDays, daysBetween, isoWeek, isoWeekStart, monthEnd, monthOf, weekdayOf } from '#lib/time/zone.ts';

/** One rollup period that lies wholly inside a report range. */
export type Piece = { period: Period; key: string; from: string; to: string };

/**
 * A cover of a report range by rollup periods.
 *
 * Additive metrics (counts, money) summed over the pieces are exact for any
 * cover. Distinct counts (customers reached, cared, …) are stored per period
 * item, so summing them over several pieces counts a customer once per piece
 * they appeared in. With `n = pieces.length`, the reported value `v` of a
 * distinct metric and its true value `t` over the range satisfy
 * `t ≤ v ≤ t × n`; `exactDistinct` is true exactly when `n = 1` (the range
 * is one calendar day, one ISO week or one calendar month) and then `v = t`.
 * Sums over several pages stay exact: customer ids are page-scoped.
 */
export type Cover = { pieces: Piece[]; exactDistinct: boolean };

export type CoverOptions = {
  /**
   * Never let a week piece cross a month boundary (a week straddling two
   * months is split into days). Used for monthly series, where each piece
   * must fall in one month; may need a few more pieces than the minimal cover.
   */
  withinMonths?: boolean;
};

/**
 * The fewest pieces covering [from, to] (both inclusive local dates), drawn
 * from whole calendar months, whole ISO weeks and single days; among covers
 * of equal size the one with the largest pieces first is chosen (months over
 * weeks over days). Computed by dynamic programming over the days, since
 * greedily taking the first week can cost more pieces than waiting for a month
 * (Mon 29 Sep … 31 Oct: 2 days + 1 month, not 1 week + 3 weeks + 5 days).
 */
export function coverRange(from: string, to: string, opts: CoverOptions = {}): Cover {
  const n = daysBetween(from, to) + 1;
  if (n <= 0) return { pieces: [], exactDistinct: false };
  const days: string[] = [];
  for (let i = 0, d = from; i < n; i++, d = addDays(d, 1)) days.push(d);
  // best[i] = fewest pieces covering days[i..n-1]; choice[i] = the piece starting at i
  const best = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
  const choice = new Array<Piece | undefined>(n + 1);
  best[n] = 0;
  const rank: Record<Period, number> = { M: 0, W: 1, D: 2 };
  for (let i = n - 1; i >= 0; i--) {
    const d = days[i]!;
    const options: Piece[] = [{ period: 'D', key: d, from: d, to: d }];
    if (weekdayOf(d) === 1) {
      const end = addDays(d, 6);
      if (end <= to && (!opts.withinMonths || monthOf(end) === monthOf(d))) options.push({ period: 'W', key: isoWeek(d), from: d, to: end });
    }
    if (d.endsWith('-01')) {
      const end = monthEnd(monthOf(d));
      if (end <= to) options.push({ period: 'M', key: monthOf(d), from: d, to: end });
    }
    for (const p of options) {
      const next = i + daysBetween(p.from, p.to) + 1;
      const cost = best[next]! + 1;
      const cur = choice[i];
      if (cost < best[i]! || (cost === best[i]! && cur && rank[p.period] < rank[cur.period])) {
        best[i] = cost;
        choice[i] = p;
      }
    }
  }
  const pieces: Piece[] = [];
  for (let i = 0; i < n; ) {
    const p = choice[i]!;
    pieces.push(p);
    i += daysBetween(p.from, p.to) + 1;
  }
  return { pieces, exactDistinct: pieces.length === 1 };
}

/**
 * The period a reader compares [from, to] with (SPEC §3 `previous`): the
 * previous calendar month for a calendar month, the previous ISO week for an
 * ISO week (7 days before), the day before for a day, otherwise the range of
 * equal length that ends the day before `from`. A calendar month's previous
 * month is one calendar month, so both are one exact piece.
 */
export function previousRange(from: string, to: string): { from: string; to: string } {
  if (from.endsWith('-01') && to === monthEnd(monthOf(from))) {
    const prevMonth = monthOf(addDays(from, -1));
    return { from: `${prevMonth}-01`, to: monthEnd(prevMonth) };
  }
  const len = daysBetween(from, to) + 1;
  return { from: addDays(from, -len), to: addDays(from, -1) };
}

/** Every day of [from, to] as a day piece. */
export function dayPieces(from: string, to: string): Piece[] {
  const out: Piece[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push({ period: 'D', key: d, from: d, to: d });
  return out;
}

/** The calendar month a piece lies in (a week piece: the month of its Monday). */
export function monthOfPiece(p: Piece): string {
  return p.period === 'M' ? p.key : monthOf(p.period === 'W' ? isoWeekStart(p.key) : p.key);
}

/**
 * Groups pieces into contiguous runs of one period type, each readable with
 * one Query (`fromKey ≤ periodKey ≤ toKey`) that returns exactly the run's
 * items. A cover has at most a handful of runs (days, weeks, months, weeks,
 * days), whereas one Query per period type would read every day item inside
 * the months it spans.
 */
export function runsOf(pieces: Piece[]): Array<{ period: Period; fromKey: string; toKey: string; keys: Set<string> }> {
  const runs: Array<{ period: Period; fromKey: string; toKey: string; keys: Set<string> }> = [];
  for (const p of pieces) {
    const last = runs[runs.length - 1];
    if (last && last.period === p.period) {
      last.toKey = p.key;
      last.keys.add(p.key);
    } else runs.push({ period: p.period, fromKey: p.key, toKey: p.key, keys: new Set([p.key]) });
  }
  return runs;
}
