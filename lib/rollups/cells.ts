import type { Period, RollupScope } from '#lib/store/keys.ts';
import { isoWeek, localParts, monthOf } from '#lib/time/zone.ts';

/**
 * A rollup cell is one numeric field of one rollup item. State items (a
 * customer's conversation, an order, a day's ad spend) each *derive* the
 * cells they contribute to; a change of state moves the rollups by
 * derive(new) − derive(old). This makes counting independent of arrival
 * order and duplicates: the same state always contributes the same cells.
 */
export type ItemRef = { pageId: string; scope: RollupScope; period: Period; periodKey: string; entity?: string };

/** `itemId` → field → value. */
export type Cells = Map<string, Map<string, number>>;

export const itemId = (r: ItemRef): string => `${r.pageId}\u0001${r.scope}\u0001${r.period}\u0001${r.periodKey}\u0001${r.entity ?? ''}`;

export function parseItemId(id: string): ItemRef {
  const [pageId, scope, period, periodKey, entity] = id.split('\u0001') as [string, RollupScope, Period, string, string];
  return { pageId, scope, period, periodKey, ...(entity ? { entity } : {}) };
}

export function addCell(cells: Cells, ref: ItemRef | string, field: string, value: number): void {
  if (value === 0) return;
  const id = typeof ref === 'string' ? ref : itemId(ref);
  let m = cells.get(id);
  if (!m) cells.set(id, (m = new Map()));
  m.set(field, (m.get(field) ?? 0) + value);
}

/** Sets a cell to 1 (distinct counters: presence, not count). */
export function markCell(cells: Cells, ref: ItemRef | string, field: string): void {
  const id = typeof ref === 'string' ? ref : itemId(ref);
  let m = cells.get(id);
  if (!m) cells.set(id, (m = new Map()));
  m.set(field, 1);
}

/** a − b, dropping zeros. */
export function diffCells(a: Cells, b: Cells): Cells {
  const out: Cells = new Map();
  for (const [id, fields] of a) for (const [f, v] of fields) addCell(out, id, f, v);
  for (const [id, fields] of b) for (const [f, v] of fields) addCell(out, id, f, -v);
  for (const [id, fields] of out) {
    for (const [f, v] of fields) if (v === 0) fields.delete(f);
    if (fields.size === 0) out.delete(id);
  }
  return out;
}

/** Adds `b` into `a` in place. */
export function mergeCells(a: Cells, b: Cells): Cells {
  for (const [id, fields] of b) for (const [f, v] of fields) addCell(a, id, f, v);
  for (const [id, fields] of a) {
    for (const [f, v] of fields) if (v === 0) fields.delete(f);
    if (fields.size === 0) a.delete(id);
  }
  return a;
}

export type PeriodKeys = { D: string; W: string; M: string; hour: number; minuteOfDay: number };

/** Day, ISO week and month of an instant in the shop zone (memoised per zone and minute). */
export function periodsOf(ms: number, tz: string): PeriodKeys {
  const minute = Math.floor(ms / 60_000);
  const cacheKey = `${tz}|${minute}`;
  let hit = periodCache.get(cacheKey);
  if (!hit) {
    const p = localParts(minute * 60_000, tz);
    hit = { D: p.date, W: isoWeek(p.date), M: monthOf(p.date), hour: p.hour, minuteOfDay: p.hour * 60 + p.minute };
    if (periodCache.size > 50_000) periodCache.clear();
    periodCache.set(cacheKey, hit);
  }
  return hit;
}
const periodCache = new Map<string, PeriodKeys>();

export const PERIODS: Period[] = ['D', 'W', 'M'];

/** Response-time histogram edges in seconds; bucket i holds values in (edge[i-1], edge[i]]. */
export const RT_EDGES = [
  0, 15, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800, 14400, 21600, 28800, 43200,
  86400, 172800,
];

/**
 * The `q` quantile (0 < q ≤ 1) of response times counted in RT_EDGES buckets
 * (`counts[i]`: replies in bucket i, the last one open-ended), to the bucket,
 * interpolated linearly inside it; null without replies. The one
 * implementation behind the reports' median and P90 and the insights' median,
 * so they never disagree.
 */
export function quantileOfCounts(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(total * q));
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0 && cum + c >= rank) {
      if (i >= RT_EDGES.length) return RT_EDGES[RT_EDGES.length - 1]!;
      const lo = i === 0 ? 0 : RT_EDGES[i - 1]!;
      const hi = RT_EDGES[i]!;
      return Math.round(lo + ((hi - lo) * (rank - cum)) / c);
    }
    cum += c;
  }
  return null;
}

export function rtBucket(seconds: number): number {
  for (let i = 0; i < RT_EDGES.length; i++) if (seconds <= RT_EDGES[i]!) return i;
  return RT_EDGES.length;
}

/** Rollup field names. Hour cells live inside the day item as `h<field><HH>`. */
export const F = {
  messagesReceived: 'messagesReceived',
  commentsReceived: 'commentsReceived',
  customersReached: 'customersReached',
  messageConversations: 'messageConversations',
  customersCared: 'customersCared',
  newCustomers: 'newCustomers',
  funnelOrdered: 'funnelOrdered',
  funnelDelivered: 'funnelDelivered',
  /**
   * The cohort funnel (SPEC §3), marks per period: of the customers reached
   * in the period, those who also got a reply in it (`cohortCared`), of
   * those, those with a non-cancelled order created in it (`cohortOrdered`),
   * of those, those one of whose such orders was delivered (`cohortDelivered`).
   */
  cohortCared: 'cohortCared',
  cohortOrdered: 'cohortOrdered',
  cohortDelivered: 'cohortDelivered',
  ordersCreated: 'ordersCreated',
  ordersCancelled: 'ordersCancelled',
  ordersDelivered: 'ordersDelivered',
  ordersReturned: 'ordersReturned',
  revenueMinor: 'revenueMinor',
  provisionalRevenueMinor: 'provisionalRevenueMinor',
  grossProfitMinor: 'grossProfitMinor',
  /** non-cancelled orders created in the period whose cost of goods is known (`grossProfitMinor` covers those only) */
  ordersCostKnown: 'ordersCostKnown',
  /** orders delivered in the period (by delivery time, whenever created) and their value */
  deliveries: 'deliveries',
  deliveredRevenueMinor: 'deliveredRevenueMinor',
  referralParticipants: 'referralParticipants',
  referralReferred: 'referralReferred',
  referralSharers: 'referralSharers',
  referralOrders: 'referralOrders',
  referralRevenueMinor: 'referralRevenueMinor',
  // staff scope
  messageReplies: 'messageReplies',
  commentReplies: 'commentReplies',
  conversationsAnswered: 'conversationsAnswered',
  customersOrdered: 'customersOrdered',
  rtSum: 'rtSum',
  rtCount: 'rtCount',
  missed: 'missed',
  /** waits closed within `responseSlaMinutes` working minutes (of `rtCount` closed waits) */
  slaMet: 'slaMet',
  // ad scope
  conversationsStarted: 'conversationsStarted',
  spendMinor: 'spendMinor',
} as const;

export const hourField = (kind: 'm' | 'c' | 'r', hour: number) => `h${kind}${String(hour).padStart(2, '0')}`;
export const rtField = (bucket: number) => `rt${String(bucket).padStart(2, '0')}`;
export const missedShiftField = (shift: string) => `missed:${shift}`;
/** Closed waits, and those closed within the SLA, per shift in which the wait's working time began. */
export const slaWaitsShiftField = (shift: string) => `slaWaits:${shift}`;
export const slaMetShiftField = (shift: string) => `slaMet:${shift}`;
