import { F, RT_EDGES, missedShiftField, quantileOfCounts, rtField, slaMetShiftField, slaWaitsShiftField } from '#lib/rollups/cells.ts';
import type { FigureNoise } from '#lib/insights/usual.ts';

/**
 * The figures insights watch (SPEC §4.3 "what changed and why"), each
 * computed from additive rollup fields ("parts") so that any slice of the
 * rollups (a page, a channel, a shift, a staff member, an ad) gives the same
 * figure for that slice by summing its items' parts.
 */

export type Scope = 'P' | 'S' | 'A';
export type Fields = Record<string, number>;
/** One rollup item as insights need it: page, scope, entity (staff or ad id) and fields. */
export type Cell = { pageId: string; scope: Scope; entity?: string; fields: Fields; attrs?: Record<string, string> };
export type Dimension = 'page' | 'channel' | 'shift' | 'staff' | 'ad';
export type Unit = 'count' | 'money' | 'rate' | 'seconds' | 'moneyPer' | 'multiple';

export const FIGURE_KEYS = [
  'customersReached',
  'orders',
  'revenue',
  'ordersCancelled',
  'responseTimeMedianSeconds',
  'missedConversations',
  'slaMetRate',
  'costPerConversation',
  'roas',
] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];

export type Parts = number[];

export type FigureDef = {
  key: FigureKey;
  unit: Unit;
  /** the scope whose items make the shop's total (and the page and channel slices) */
  scope: Scope;
  /** the scope slices of each other dimension come from; absent: not sliced that way */
  dims: Partial<Record<'shift' | 'staff' | 'ad', Scope>>;
  parts(f: Fields): Parts;
  /** the parts that fall in one shift (missed and SLA figures) */
  shiftParts?(f: Fields, shift: string): Parts;
  value(p: Parts): number | null;
  /** how many events the figure rests on (reach, orders, waits, conversations) */
  weight(p: Parts): number;
  /** additive figures split their change by slice directly; the others by weight × change of the slice's own figure */
  additive: boolean;
  /** a rise is bad news */
  higherIsWorse: boolean;
  /** the usual weight below which the figure says nothing (too few events to have a usual range) */
  minWeight: number;
  noise(usual: number, weight: number): FigureNoise;
  /** figures of one family tell one story; an insight list keeps the strongest of each */
  family: 'reach' | 'sales' | 'cancel' | 'waiting' | 'adcost' | 'roas';
};

const n = (f: Fields, k: string) => f[k] ?? 0;
const RT_BUCKETS = RT_EDGES.length + 1;

/**
 * The median response time from the merged histogram (`rt{NN}` fields): the
 * same quantile the staff-chat report shows (`quantileOfCounts`).
 */
export function medianFromHistogram(counts: readonly number[]): number | null {
  return quantileOfCounts(counts, 0.5);
}

/** ordinary day-to-day swing of counts and money, as a fraction (3 spreads × √(1 + π/8) ≈ ±40 %: the bench tunes it) */
const REL = 0.12;
const countNoise = (minChange: number) => (u: number): FigureNoise => ({ counting: Math.sqrt(Math.max(u, 1)), relative: REL, minChange, minRelative: 0.3 });
/** money over `w` orders: the count's noise plus the spread of basket sizes (coefficient of variation about 0.6) */
const moneyNoise = (u: number, w: number): FigureNoise => ({ counting: (Math.abs(u) * 1.2) / Math.sqrt(Math.max(w, 1)), relative: REL, minChange: 0, minRelative: 0.3 });

export const FIGURES: Record<FigureKey, FigureDef> = {
  customersReached: {
    key: 'customersReached', unit: 'count', scope: 'P', dims: {}, additive: true, higherIsWorse: false, minWeight: 10, family: 'reach',
    parts: (f) => [n(f, F.customersReached)],
    value: (p) => p[0]!,
    weight: (p) => p[0]!,
    noise: countNoise(10),
  },
  orders: {
    key: 'orders', unit: 'count', scope: 'P', dims: { staff: 'S', ad: 'A' }, additive: true, higherIsWorse: false, minWeight: 5, family: 'sales',
    parts: (f) => [n(f, F.ordersCreated) - n(f, F.ordersCancelled)],
    value: (p) => p[0]!,
    weight: (p) => p[0]!,
    noise: countNoise(5),
  },
  revenue: {
    key: 'revenue', unit: 'money', scope: 'P', dims: { staff: 'S', ad: 'A' }, additive: true, higherIsWorse: false, minWeight: 5, family: 'sales',
    parts: (f) => [n(f, F.revenueMinor), n(f, F.ordersCreated) - n(f, F.ordersCancelled)],
    value: (p) => p[0]!,
    weight: (p) => p[1]!,
    noise: moneyNoise,
  },
  ordersCancelled: {
    key: 'ordersCancelled', unit: 'count', scope: 'P', dims: { staff: 'S', ad: 'A' }, additive: true, higherIsWorse: true, minWeight: 0, family: 'cancel',
    parts: (f) => [n(f, F.ordersCancelled)],
    value: (p) => p[0]!,
    weight: (p) => p[0]!,
    noise: countNoise(5),
  },
  responseTimeMedianSeconds: {
    key: 'responseTimeMedianSeconds', unit: 'seconds', scope: 'S', dims: { staff: 'S' }, additive: false, higherIsWorse: true, minWeight: 20, family: 'waiting',
    parts: (f) => Array.from({ length: RT_BUCKETS }, (_, i) => n(f, rtField(i))),
    value: (p) => medianFromHistogram(p),
    weight: (p) => p.reduce((a, b) => a + b, 0),
    // the median of n skewed waits moves by about 1.25 × its size / √n
    noise: (u, w) => ({ counting: (1.25 * Math.abs(u)) / Math.sqrt(Math.max(w, 1)), relative: 0.25, minChange: 60, minRelative: 0.5 }),
  },
  missedConversations: {
    key: 'missedConversations', unit: 'count', scope: 'S', dims: { shift: 'S', staff: 'S' }, additive: true, higherIsWorse: true, minWeight: 0, family: 'waiting',
    parts: (f) => [n(f, F.missed)],
    shiftParts: (f, s) => [n(f, missedShiftField(s))],
    value: (p) => p[0]!,
    weight: (p) => p[0]!,
    noise: countNoise(5),
  },
  slaMetRate: {
    key: 'slaMetRate', unit: 'rate', scope: 'S', dims: { shift: 'S', staff: 'S' }, additive: false, higherIsWorse: false, minWeight: 20, family: 'waiting',
    parts: (f) => [n(f, F.slaMet), n(f, F.rtCount)],
    shiftParts: (f, s) => [n(f, slaMetShiftField(s)), n(f, slaWaitsShiftField(s))],
    value: (p) => (p[1]! > 0 ? p[0]! / p[1]! : null),
    weight: (p) => p[1]!,
    noise: (u, w) => ({ counting: Math.max(0.03, Math.sqrt((u * (1 - u)) / Math.max(w, 1))), relative: 0, minChange: 0.1, minRelative: 0 }),
  },
  costPerConversation: {
    key: 'costPerConversation', unit: 'moneyPer', scope: 'A', dims: { ad: 'A' }, additive: false, higherIsWorse: true, minWeight: 20, family: 'adcost',
    parts: (f) => [n(f, F.spendMinor), n(f, F.conversationsStarted)],
    value: (p) => (p[1]! > 0 && p[0]! > 0 ? p[0]! / p[1]! : null),
    weight: (p) => p[1]!,
    noise: (u, w) => ({ counting: Math.abs(u) / Math.sqrt(Math.max(w, 1)), relative: 0.15, minChange: 0, minRelative: 0.3 }),
  },
  roas: {
    key: 'roas', unit: 'multiple', scope: 'A', dims: {}, additive: false, higherIsWorse: false, minWeight: 3, family: 'roas',
    parts: (f) => [n(f, F.revenueMinor), n(f, F.spendMinor), n(f, F.ordersCreated) - n(f, F.ordersCancelled)],
    value: (p) => (p[1]! > 0 ? p[0]! / p[1]! : null),
    weight: (p) => p[2]!,
    noise: (u, w) => ({ counting: (1.2 * Math.abs(u)) / Math.sqrt(Math.max(w, 1)), relative: 0.2, minChange: 0, minRelative: 0.4 }),
  },
};
