import type { Period } from '#lib/store/keys.ts';
import { addDays, daysBetween, isoWeek, isoWeekStart, monthEnd, monthOf } from '#lib/time/zone.ts';

/** One rollup period that lies wholly inside a report range. */
export type Piece = { period: Period; key: string; from: string; to: string };

/**
 * The fewest pieces covering [from, to]: whole calendar months, then whole
 * ISO weeks, then single days. Additive metrics are exact over any cover.
 * Distinct counts are exact when the cover is one piece (a calendar day, an
 * ISO week or a calendar month); over several pieces they are summed, which
 * counts a customer once per piece they appeared in: the reported value is
 * at least the true count and at most the true count × the number of pieces.
 */
export function coverRange(from: string, to: string): Piece[] {
  const out: Piece[] = [];
  let d = from;
  while (d <= to) {
    const month = monthOf(d);
    const mEnd = monthEnd(month);
    if (d === `${month}-01` && mEnd <= to) {
      out.push({ period: 'M', key: month, from: d, to: mEnd });
      d = addDays(mEnd, 1);
      continue;
    }
    const week = isoWeek(d);
    const wStart = isoWeekStart(week);
    const wEnd = addDays(wStart, 6);
    if (d === wStart && wEnd <= to) {
      out.push({ period: 'W', key: week, from: d, to: wEnd });
      d = addDays(wEnd, 1);
      continue;
    }
    out.push({ period: 'D', key: d, from: d, to: d });
    d = addDays(d, 1);
  }
  return out;
}

/** The range of equal length just before [from, to]. */
export function previousRange(from: string, to: string): { from: string; to: string } {
  const len = daysBetween(from, to) + 1;
  return { from: addDays(from, -len), to: addDays(from, -1) };
}

/** Contiguous runs of pieces of the same period type, each readable with one Query. */
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
