import { fromMinor } from '#lib/money.ts';
import { FIGURES, FIGURE_KEYS, type Cell, type Dimension, type FigureDef, type FigureKey, type Parts, type Scope, type Unit } from '#lib/insights/figures.ts';
import { isUnusual, median, usualRange, type UsualRange } from '#lib/insights/usual.ts';

/**
 * What changed and why (SPEC §4.3), over rollup items only and without any
 * I/O: the caller reads the items of the period and of its comparison
 * periods (lib/reports/insights.ts) and gets back at most three insights.
 *
 * For each figure: its value now, its usual range (lib/insights/usual.ts)
 * and, when it lies outside, the slice that explains most of the change.
 * Every dimension the rollups keep the figure by (page, channel, shift,
 * staff member, ad) is split into slices; a slice's share of the change is
 * its own change against its own usual (additive figures), or its weight
 * times the change of its own figure (rates, medians, cost per
 * conversation). The place named is the slice with the largest share,
 * preferring the most specific dimension among those within 0.15 of the
 * best (shift, staff, ad, then page, channel), when it explains at least
 * half; inside it, a page (or, for a page, a shift) that explains at least
 * 60 % of that slice's change is named too ("mostly on page …").
 *
 * Insights are ranked by their effect on revenue (money) plus customers
 * left waiting, valued at the shop's usual revenue per customer reached,
 * and only the strongest of each family is kept (revenue and orders tell
 * one story; missed conversations, SLA rate and response time another).
 */

export const MAX_INSIGHTS = 3;
/** Share of a change a slice must explain to be named. */
export const MIN_PLACE_SHARE = 0.5;
/** Share of the named slice's change a page (or shift) must explain to be named beside it ("mostly …"). */
export const MIN_ALSO_SHARE = 0.6;
const PRIORITY: Dimension[] = ['shift', 'staff', 'ad', 'page', 'channel'];
/** Pages that are no page: orders and spend that could not be linked to one (lib/ingest/context.ts NO_PAGE). */
const NO_PAGE = '_';

export type InsightContext = {
  currency: string;
  pages: ReadonlyArray<{ pageId: string; channel: string; name: string }>;
  staff: ReadonlyArray<{ staffId: string; name: string }>;
  /** the shop's shift names, in order */
  shifts: readonly string[];
};

export type Place = {
  dimension: Dimension;
  id: string;
  /** the page, staff member or ad name as the shop set it (shift and channel: their ids) */
  name: string;
  /** the figure in that slice now, and usually (money in major units) */
  value: number | null;
  usual: number | null;
  /** the slice's share of the change (0..1+) */
  share: number;
};

export type Insight = {
  figure: FigureKey;
  unit: Unit;
  direction: 'up' | 'down';
  /** true when the move is bad news for the shop */
  worse: boolean;
  /** money in major units of the shop currency, rates as fractions, times in seconds */
  value: number;
  usual: number;
  low: number;
  high: number;
  /** where it moved; null when no slice explains half of the change */
  place: Place | null;
  /** inside `place`, the page (or the shift of a page) that explains most of it */
  also: Place | null;
  /** for `roas`: the ad the figure is about (also its `place`), with its spend and revenue now (major units) */
  ad?: { adId: string; name: string; spend: number; revenue: number };
  /** effect on revenue (major units; negative = lost) and on customers left waiting (negative = fewer) */
  effect: { revenue: number; customers: number };
  /** ranking key: |revenue effect| + |customers| × usual revenue per customer (minor units) */
  score: number;
};

type Period = readonly Cell[];

const sumParts = (def: FigureDef, cells: Iterable<Cell>, parts: (c: Cell) => Parts = (c) => def.parts(c.fields)): Parts => {
  let out: Parts | null = null;
  for (const c of cells) {
    const p = parts(c);
    if (!out) out = p.slice();
    else for (let i = 0; i < p.length; i++) out[i] = (out[i] ?? 0) + p[i]!;
  }
  return out ?? def.parts({});
};

/** A selection of one figure's parts: which items, and which parts of them. */
type Selector = { scope: Scope; keep: (c: Cell) => boolean; parts?: (c: Cell) => Parts };

/** Slices of one dimension: id → selector. */
function slicesOf(def: FigureDef, dim: Dimension, cells: readonly Cell[], ctx: InsightContext, within?: Selector): Map<string, Selector> {
  const scope = within?.scope ?? (dim === 'page' || dim === 'channel' || dim === 'shift' ? def.scope : def.dims[dim]!);
  const base = (c: Cell) => c.scope === scope && (!within || within.keep(c));
  const out = new Map<string, Selector>();
  if (dim === 'shift') {
    for (const s of [...ctx.shifts, 'other']) out.set(s, { scope, keep: base, parts: (c) => def.shiftParts!(c.fields, s) });
    return out;
  }
  const channelOf = new Map(ctx.pages.map((p) => [p.pageId, p.channel]));
  const keyOf = (c: Cell): string | undefined =>
    dim === 'page' ? (c.pageId === NO_PAGE ? undefined : c.pageId) : dim === 'channel' ? channelOf.get(c.pageId) : c.entity;
  for (const c of cells) {
    if (!base(c)) continue;
    const k = keyOf(c);
    if (k === undefined || out.has(k)) continue;
    out.set(k, { scope, keep: (x) => base(x) && keyOf(x) === k, ...(within?.parts ? { parts: within.parts } : {}) });
  }
  return out;
}

const select = (def: FigureDef, cells: readonly Cell[], s: Selector): Parts => sumParts(def, cells.filter(s.keep), s.parts);

type Measured = { now: Parts; history: Parts[] };

/**
 * Money figures are kept in minor units until the end; rates and multiples
 * are rounded to 4 decimals as the reports round them (lib/reports/reading.ts
 * `ratio`), so an insight shows the same figure as the digest's tables.
 */
function major(unit: Unit, v: number, currency: string): number {
  if (unit === 'money' || unit === 'moneyPer') return fromMinor(Math.round(v), currency);
  if (unit === 'rate' || unit === 'multiple') return Math.round(v * 10_000) / 10_000;
  return v;
}

function nameOf(dim: Dimension, id: string, ctx: InsightContext, cells: readonly Cell[]): string {
  if (dim === 'page') return ctx.pages.find((p) => p.pageId === id)?.name ?? id;
  if (dim === 'staff') return ctx.staff.find((s) => s.staffId === id)?.name ?? id;
  // as the ads report names an ad: the name `ad.spend` gave it, else the title its referrals carried
  if (dim === 'ad') {
    const attrs = cells.find((c) => c.scope === 'A' && c.entity === id && (c.attrs?.adName || c.attrs?.adTitle))?.attrs;
    return attrs?.adName ?? attrs?.adTitle ?? id;
  }
  return id;
}

type Contribution = { id: string; share: number; value: number | null; usual: number | null; sel: Selector };

/**
 * Each slice's share of the change `delta` of the figure (`totalWeight`:
 * the figure's weight now, for non-additive figures).
 */
function contributions(def: FigureDef, slices: Map<string, Selector>, now: Period, history: readonly Period[], delta: number, totalUsual: number, totalWeight: number): Contribution[] {
  const out: Contribution[] = [];
  for (const [id, sel] of slices) {
    const pNow = select(def, now, sel);
    const vNow = def.value(pNow);
    const hist = history.map((h) => def.value(select(def, h, sel)));
    if (def.additive) {
      const u = median(hist.map((x) => x ?? 0));
      out.push({ id, sel, value: vNow, usual: u, share: ((vNow ?? 0) - u) / delta });
    } else {
      const w = def.weight(pNow);
      if (w === 0 || vNow === null) continue;
      const known = hist.filter((x): x is number => x !== null);
      const u = known.length >= 2 ? median(known) : totalUsual;
      out.push({ id, sel, value: vNow, usual: u, share: ((w / totalWeight) * (vNow - u)) / delta });
    }
  }
  return out.sort((a, b) => b.share - a.share || a.id.localeCompare(b.id));
}

/**
 * Whether naming a slice of `dim` tells the reader something: a page or a
 * channel when two or more of them have the figure (now or in a comparison
 * period; slices inside a place are judged on the whole shop, so "mostly on
 * page X" is said when the other page has the figure at other times), a
 * shift in a shop with two or more shifts, a staff member or an ad when any
 * has the figure.
 */
function informative(def: FigureDef, dim: Dimension, periods: readonly Period[], ctx: InsightContext): boolean {
  if (dim === 'shift') return ctx.shifts.length >= 2;
  let live = 0;
  for (const sel of slicesOf(def, dim, periods.flat(), ctx).values()) if (periods.some((p) => select(def, p, sel).some((x) => x !== 0))) live++;
  return dim === 'page' || dim === 'channel' ? live >= 2 : live >= 1;
}

function place(def: FigureDef, now: Period, history: readonly Period[], ctx: InsightContext, delta: number, usual: number, weightNow: number): { place: Place | null; also: Place | null } {
  const all = [now, ...history];
  const dims: Dimension[] = ['page', 'channel', ...(Object.keys(def.dims) as Dimension[])];
  const tops = new Map<Dimension, Contribution>();
  for (const dim of dims) {
    const slices = slicesOf(def, dim, now.concat(...history), ctx);
    if (!informative(def, dim, all, ctx)) continue;
    const top = contributions(def, slices, now, history, delta, usual, weightNow)[0];
    if (top) tops.set(dim, top);
  }
  const best = Math.max(-Infinity, ...[...tops.values()].map((t) => t.share));
  if (!(best >= MIN_PLACE_SHARE)) return { place: null, also: null };
  const dim = PRIORITY.find((d) => (tops.get(d)?.share ?? -Infinity) >= Math.max(MIN_PLACE_SHARE, best - 0.15))!;
  const top = tops.get(dim)!;
  const toPlace = (d: Dimension, c: Contribution): Place => ({
    dimension: d,
    id: c.id,
    name: nameOf(d, c.id, ctx, all.flat()),
    value: c.value === null ? null : major(def.unit, c.value, ctx.currency),
    usual: c.usual === null ? null : major(def.unit, c.usual, ctx.currency),
    share: Math.round(Math.min(c.share, 9.99) * 100) / 100,
  });
  // inside the place: a page, or for a page the shift
  const alsoDim: Dimension | null = dim === 'page' ? (def.shiftParts ? 'shift' : null) : dim === 'channel' ? null : 'page';
  let also: Place | null = null;
  if (alsoDim) {
    const inner = slicesOf(def, alsoDim, now.concat(...history), ctx, top.sel);
    const placeDelta = def.additive ? (top.value ?? 0) - (top.usual ?? 0) : top.share * delta;
    if (informative(def, alsoDim, all, ctx) && placeDelta !== 0) {
      const weightInPlace = def.weight(select(def, now, top.sel));
      const c = contributions(def, inner, now, history, placeDelta, top.usual ?? usual, weightInPlace)[0];
      if (c && c.share >= MIN_ALSO_SHARE) also = toPlace(alsoDim, c);
    }
  }
  return { place: toPlace(dim, top), also };
}

/** Usual revenue per customer reached (minor units), the price of a customer left waiting in the ranking; at least 1. */
function revenuePerCustomer(now: Period, history: readonly Period[]): number {
  const rev = median(history.map((h) => sumParts(FIGURES.revenue, h.filter((c) => c.scope === 'P'))[0]!));
  const reach = median(history.map((h) => sumParts(FIGURES.customersReached, h.filter((c) => c.scope === 'P'))[0]!));
  void now;
  return reach > 0 && rev > 0 ? rev / reach : 1;
}

function effectOf(def: FigureDef, v: number, u: number, pNow: Parts, history: readonly Period[], rpc: number): { revenue: number; customers: number } {
  const d = v - u;
  const aov = (() => {
    const rev = median(history.map((h) => sumParts(FIGURES.revenue, h.filter((c) => c.scope === 'P'))[0]!));
    const orders = median(history.map((h) => sumParts(FIGURES.orders, h.filter((c) => c.scope === 'P'))[0]!));
    return orders > 0 ? rev / orders : 0;
  })();
  switch (def.key) {
    case 'customersReached': return { revenue: d * rpc, customers: 0 };
    case 'orders': return { revenue: d * aov, customers: 0 };
    case 'revenue': return { revenue: d, customers: 0 };
    case 'ordersCancelled': return { revenue: -d * aov, customers: 0 };
    case 'missedConversations': return { revenue: 0, customers: d };
    case 'slaMetRate': return { revenue: 0, customers: -d * def.weight(pNow) };
    case 'responseTimeMedianSeconds': return { revenue: 0, customers: Math.sign(d) * def.weight(pNow) * Math.min(1, Math.abs(d) / Math.max(v, u, 1)) };
    case 'costPerConversation': return { revenue: -d * def.weight(pNow), customers: 0 };
    case 'roas': return { revenue: d * pNow[1]!, customers: 0 };
  }
}

function judge(def: FigureDef, now: Period, history: readonly Period[], ctx: InsightContext, rpc: number, ad?: string): Insight | null {
  const pick = (p: Period) => p.filter((c) => c.scope === def.scope && (ad === undefined || c.entity === ad));
  const m: Measured = { now: sumParts(def, pick(now)), history: history.map((h) => sumParts(def, pick(h))) };
  const value = def.value(m.now);
  if (value === null) return null;
  const weights = m.history.map((p) => def.weight(p));
  if (median(weights) < def.minWeight) return null;
  const range: UsualRange | null = usualRange(m.history.map((p) => def.value(p)), (u) => def.noise(u, median(weights)), def.unit === 'rate' ? 'normal' : 'skewed');
  if (!range || !isUnusual(value, range, def.noise(range.usual, median(weights)))) return null;
  const delta = value - range.usual;
  const adName = ad === undefined ? '' : nameOf('ad', ad, ctx, [...now, ...history.flat()]);
  const where = ad !== undefined
    ? { place: { dimension: 'ad' as const, id: ad, name: adName, value, usual: range.usual, share: 1 }, also: null }
    : place(def, now, history, ctx, delta, range.usual, def.weight(m.now));
  const effect = effectOf(def, value, range.usual, m.now, history, rpc);
  const up = delta > 0;
  const mj = (x: number) => major(def.unit, x, ctx.currency);
  return {
    figure: def.key,
    unit: def.unit,
    direction: up ? 'up' : 'down',
    worse: up === def.higherIsWorse,
    value: mj(value),
    usual: mj(range.usual),
    low: mj(Math.max(range.low, 0)),
    high: mj(def.unit === 'rate' ? Math.min(range.high, 1) : range.high),
    place: where.place,
    also: where.also,
    ...(ad !== undefined ? { ad: { adId: ad, name: adName, spend: fromMinor(m.now[1]!, ctx.currency), revenue: fromMinor(m.now[0]!, ctx.currency) } } : {}),
    effect: { revenue: fromMinor(Math.round(effect.revenue), ctx.currency), customers: Math.round(effect.customers) },
    score: Math.abs(effect.revenue) + Math.abs(effect.customers) * rpc,
  };
}

/**
 * The insights of one period: `now` is the period's rollup items (every page,
 * scopes P, S and A), `history` the items of each comparison period (oldest
 * or newest first, it does not matter). At most MAX_INSIGHTS, strongest
 * first; none when every figure lies inside its usual range.
 */
export function detectInsights(now: Period, history: readonly Period[], ctx: InsightContext): Insight[] {
  const rpc = revenuePerCustomer(now, history);
  const found: Insight[] = [];
  for (const key of FIGURE_KEYS) {
    const def = FIGURES[key];
    if (key === 'roas') {
      const ads = new Set(now.filter((c) => c.scope === 'A' && c.entity && (c.fields.spendMinor ?? 0) > 0).map((c) => c.entity!));
      for (const ad of [...ads].sort()) {
        const i = judge(def, now, history, ctx, rpc, ad);
        if (i) found.push(i);
      }
      continue;
    }
    const i = judge(def, now, history, ctx, rpc);
    if (i) found.push(i);
  }
  found.sort((a, b) => b.score - a.score || a.figure.localeCompare(b.figure));
  const families = new Set<string>();
  const out: Insight[] = [];
  for (const i of found) {
    const fam = i.figure === 'roas' ? `roas:${i.ad!.adId}` : FIGURES[i.figure].family;
    if (families.has(fam)) continue;
    families.add(fam);
    out.push(i);
    if (out.length === MAX_INSIGHTS) break;
  }
  return out;
}
