import { hourField } from '#lib/rollups/cells.ts';
import { coverRange, dayPieces, monthOfPiece } from '#lib/reports/range.ts';
import type { ReportQuery } from '#lib/reports/query.ts';
import type { ConversationRow, ConversationsReport } from '#lib/reports/types.ts';
import { dailySeries, emptyTotals, monthlySeries } from '#lib/reports/totals.ts';
import { add, connectedNow, header, isLong, read, type Ctx, type Fields } from '#lib/reports/reading.ts';
import { addDays } from '#lib/time/zone.ts';

/**
 * Conversations: the page-scope series as rows. `granularity=day`: one row
 * per date (per `YYYY-MM` month over 62 days, approximate for partial
 * months). `granularity=hour`: 24 rows per date, `{date, hour, …}`, read from
 * day items; only the hour-resolved figures are filled — `messagesReceived`,
 * `commentsReceived` and `customersReached` (customers whose first inbound
 * of that day fell in that hour, so the 24 rows of a day add up to its
 * customersReached) — and every other metric is 0 (null where a figure is
 * null without data), as rollups keep no other figure per hour.
 */
export async function conversations(ctx: Ctx, q: ReportQuery, now: number): Promise<ConversationsReport> {
  const { shop } = ctx;
  const connected = await connectedNow(shop, ctx.pages);
  if (q.granularity === 'hour') {
    const days = await read(ctx, 'P', dayPieces(q.from, q.to));
    const byDay = new Map<string, Fields>();
    for (const i of days) byDay.set(i.periodKey, add(byDay.get(i.periodKey) ?? {}, i.fields));
    const rows: ConversationRow[] = [];
    for (let d = q.from; d <= q.to; d = addDays(d, 1)) {
      const f = byDay.get(d) ?? {};
      for (let h = 0; h < 24; h++) {
        rows.push({
          date: d,
          hour: h,
          ...emptyTotals(connected, shop.currency),
          messagesReceived: f[hourField('m', h)] ?? 0,
          commentsReceived: f[hourField('c', h)] ?? 0,
          customersReached: f[hourField('r', h)] ?? 0,
        });
      }
    }
    return { ...header(shop, q, now, false), rows };
  }
  if (!isLong(q)) {
    const days = await read(ctx, 'P', dayPieces(q.from, q.to));
    return { ...header(shop, q, now, false), rows: dailySeries(days, q, shop.currency, connected) };
  }
  const cover = coverRange(q.from, q.to, { withinMonths: true });
  const items = await read(ctx, 'P', cover.pieces);
  const piecesPerMonth = new Map<string, number>();
  for (const p of cover.pieces) piecesPerMonth.set(monthOfPiece(p), (piecesPerMonth.get(monthOfPiece(p)) ?? 0) + 1);
  const approximate = [...piecesPerMonth.values()].some((n) => n > 1);
  return { ...header(shop, q, now, approximate), rows: monthlySeries(items, cover, q, shop.currency, connected) };
}
