import { fromMinor } from '#lib/money.ts';
import { F } from '#lib/rollups/cells.ts';
import type { RollupItem } from '#lib/store/rollups.ts';
import { addDays, monthEnd, monthOf } from '#lib/time/zone.ts';
import { monthOfPiece, type Cover } from '#lib/reports/range.ts';
import type { ReportQuery } from '#lib/reports/query.ts';
import type { Totals } from '#lib/reports/types.ts';
import { add, ratio, type Connected, type Fields } from '#lib/reports/reading.ts';

/**
 * Gross profit and cost coverage of SPEC §3 from summed fields: profit over
 * the non-cancelled orders whose cost is known, null when none is known
 * (never 0 for "unknown"); coverage = those orders / non-cancelled orders,
 * null without orders.
 */
export function profitOf(f: Fields, currency: string): { grossProfit: number | null; costCoverage: number | null } {
  const n = (k: string) => f[k] ?? 0;
  const orders = n(F.ordersCreated) - n(F.ordersCancelled);
  const known = n(F.ordersCostKnown);
  return { grossProfit: known === 0 ? null : fromMinor(n(F.grossProfitMinor), currency), costCoverage: ratio(known, orders) };
}

/** SPEC §3 totals from summed page-scope fields. */
export function totalsOf(f: Fields, currency: string, connected: Connected): Totals {
  const n = (k: string) => f[k] ?? 0;
  return {
    customersReached: n(F.customersReached),
    customersCared: n(F.customersCared),
    newCustomers: n(F.newCustomers),
    messagesReceived: n(F.messagesReceived),
    commentsReceived: n(F.commentsReceived),
    messageConversations: n(F.messageConversations),
    ordersCreated: n(F.ordersCreated),
    ordersCancelled: n(F.ordersCancelled),
    orders: n(F.ordersCreated) - n(F.ordersCancelled),
    ordersDelivered: n(F.ordersDelivered),
    ordersReturned: n(F.ordersReturned),
    deliveries: n(F.deliveries),
    deliveredRevenue: fromMinor(n(F.deliveredRevenueMinor), currency),
    revenue: fromMinor(n(F.revenueMinor), currency),
    provisionalRevenue: fromMinor(n(F.provisionalRevenueMinor), currency),
    ...profitOf(f, currency),
    closeRate: ratio(n(F.ordersCreated), n(F.customersReached)),
    pagesActivated: connected.pages,
    channelsConnected: connected.channels,
  };
}

export const emptyTotals = (connected: Connected, currency: string): Totals => totalsOf({}, currency, connected);

/** One entry per day of the range (zeros included) from day items; each exact. */
export function dailySeries(days: RollupItem[], q: Pick<ReportQuery, 'from' | 'to'>, currency: string, connected: Connected): Array<{ date: string } & Totals> {
  const byDay = new Map<string, Fields>();
  for (const i of days) byDay.set(i.periodKey, add(byDay.get(i.periodKey) ?? {}, i.fields));
  const out: Array<{ date: string } & Totals> = [];
  for (let d = q.from; d <= q.to; d = addDays(d, 1)) out.push({ date: d, ...totalsOf(byDay.get(d) ?? {}, currency, connected) });
  return out;
}

/**
 * One entry per calendar month touched by the range, summed from the items
 * of a cover whose pieces each lie in one month (`withinMonths`), so
 * additive figures are exact; a month entry's distinct counts are exact when
 * it is one piece (a whole month inside the range).
 */
export function monthlySeries(items: RollupItem[], cover: Cover, q: Pick<ReportQuery, 'from' | 'to'>, currency: string, connected: Connected): Array<{ date: string } & Totals> {
  const monthOfKey = new Map(cover.pieces.map((p) => [`${p.period}${p.key}`, monthOfPiece(p)]));
  const byMonth = new Map<string, Fields>();
  for (const i of items) {
    const m = monthOfKey.get(`${i.period}${i.periodKey}`);
    if (m) byMonth.set(m, add(byMonth.get(m) ?? {}, i.fields));
  }
  const out: Array<{ date: string } & Totals> = [];
  for (let m = monthOf(q.from); m <= monthOf(q.to); m = monthOf(addDays(monthEnd(m), 1))) out.push({ date: m, ...totalsOf(byMonth.get(m) ?? {}, currency, connected) });
  return out;
}
