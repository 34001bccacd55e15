import type { Shop } from '#lib/shops/schema.ts';
import { fromMinor } from '#lib/money.ts';
import { F } from '#lib/rollups/cells.ts';
import { AUTOMATED } from '#lib/ingest/context.ts';
import { coverRange } from '#lib/reports/range.ts';
import type { ReportQuery } from '#lib/reports/query.ts';
import type { SalesStaffRow, StaffSalesReport } from '#lib/reports/types.ts';
import { profitOf } from '#lib/reports/totals.ts';
import { byEntity, header, ratio, read, staffIds, staffName, type Ctx, type Fields } from '#lib/reports/reading.ts';

/**
 * Sales staff rows: configured staff plus `unknown` (orders with no staff)
 * and ids no longer configured, when they have data. `customersCared` is the
 * staff's distinct customers answered; `conversionRate` = customers with a
 * non-cancelled order by that staff / customersCared (null when 0);
 * `grossProfit` and `costCoverage` as in the totals (null when unknown).
 * Rows of configured staff with nothing to show (no order, no customer
 * cared) are left out: an all-zero row is noise.
 */
export function salesRows(shop: Shop, staff: Map<string, { fields: Fields }>): SalesStaffRow[] {
  return staffIds(shop, staff.keys(), [AUTOMATED])
    .map((id) => {
      const f = staff.get(id)?.fields ?? {};
      const n = (k: string) => f[k] ?? 0;
      return {
        staffId: id,
        name: staffName(shop, id),
        ordersCreated: n(F.ordersCreated),
        orders: n(F.ordersCreated) - n(F.ordersCancelled),
        revenue: fromMinor(n(F.revenueMinor), shop.currency),
        ...profitOf(f, shop.currency),
        customersCared: n(F.conversationsAnswered),
        conversionRate: ratio(n(F.customersOrdered), n(F.conversationsAnswered)),
      };
    })
    .filter((r) => r.ordersCreated > 0 || r.customersCared > 0);
}

/** The staff-sales report (SPEC §3 "Sales staff"). */
export async function staffSales(ctx: Ctx, q: ReportQuery, now: number): Promise<StaffSalesReport> {
  const cover = coverRange(q.from, q.to);
  const staff = byEntity(await read(ctx, 'S', cover.pieces));
  return { ...header(ctx.shop, q, now, !cover.exactDistinct), rows: salesRows(ctx.shop, staff) };
}
