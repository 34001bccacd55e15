import { fromMinor } from '#lib/money.ts';
import { F } from '#lib/rollups/cells.ts';
import { coverRange } from '#lib/reports/range.ts';
import type { ReportQuery } from '#lib/reports/query.ts';
import type { ReferralsReport } from '#lib/reports/types.ts';
import { header, ratio, read, sumItems, type Ctx } from '#lib/reports/reading.ts';

/**
 * Referral programme, one row: participants (joined in the range), referred
 * (of those, joined through someone's referral), sharers (participants who
 * shared), shareRate = sharers / participants, referralOrders and
 * referralRevenue (non-cancelled orders carrying a referral code, by
 * creation time).
 */
export async function referrals(ctx: Ctx, q: ReportQuery, now: number): Promise<ReferralsReport> {
  const cover = coverRange(q.from, q.to);
  const f = sumItems(await read(ctx, 'P', cover.pieces));
  const n = (k: string) => f[k] ?? 0;
  return {
    ...header(ctx.shop, q, now, !cover.exactDistinct),
    rows: [
      {
        participants: n(F.referralParticipants),
        referred: n(F.referralReferred),
        sharers: n(F.referralSharers),
        shareRate: ratio(n(F.referralSharers), n(F.referralParticipants)),
        referralOrders: n(F.referralOrders),
        referralRevenue: fromMinor(n(F.referralRevenueMinor), ctx.shop.currency),
      },
    ],
  };
}
