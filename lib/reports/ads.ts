import { fromMinor } from '#lib/money.ts';
import { F } from '#lib/rollups/cells.ts';
import { NO_PAGE } from '#lib/ingest/context.ts';
import { coverRange } from '#lib/reports/range.ts';
import type { ReportQuery } from '#lib/reports/query.ts';
import type { AdRow, AdsReport, CampaignRow } from '#lib/reports/types.ts';
import { add, byEntity, header, ratio, read, type Ctx, type Fields } from '#lib/reports/reading.ts';

/** Attributes an ad's rollup items may carry (set by ingest and rebuild, lib/ingest/ad-names.ts). */
const NAME_ATTRS = ['campaignId', 'adName', 'campaignName', 'adTitle'] as const;

/**
 * Ads: one row per adId (by revenue, then id) and `campaigns` aggregated by
 * campaignId (ads with no known campaign are left out of `campaigns`).
 * `orders` = ordersCreated − ordersCancelled; `roas` = revenue / spend;
 * `costPerOrder` = spend / orders and `costPerConversation` = spend /
 * conversationsStarted (rounded to the minor unit); each null when its
 * denominator is 0. `adName` is the name `ad.spend` gave the ad, else the
 * title of the ad its referrals carried; `campaignName` the name `ad.spend`
 * gave the campaign; null when unknown. Spend is stored on the page its
 * event names, else on `_`, so a page or channel filter leaves out unlinked
 * spend; the campaign and names of an ad are still read from `_` (one extra
 * Query per run). Rows with nothing to show are left out.
 */
export async function ads(ctx: Ctx, q: ReportQuery, now: number): Promise<AdsReport> {
  const { shop } = ctx;
  const cover = coverRange(q.from, q.to);
  const items = await read(ctx, 'A', cover.pieces);
  const byAd = byEntity(items);
  if (!ctx.pages.includes(NO_PAGE) && byAd.size > 0) {
    // the later period's names win, as without a filter
    for (const [adId, unlinked] of byEntity(await read(ctx, 'A', cover.pieces, undefined, [NO_PAGE]))) {
      const ad = byAd.get(adId);
      if (!ad) continue;
      for (const a of NAME_ATTRS) if (unlinked.attrs[a] && !ad.attrs[a]) ad.attrs[a] = unlinked.attrs[a];
    }
  }
  const rowOf = (f: Fields): Omit<AdRow, 'adId' | 'adName' | 'campaignId' | 'campaignName'> => {
    const n = (k: string) => f[k] ?? 0;
    const orders = n(F.ordersCreated) - n(F.ordersCancelled);
    const per = (d: number) => (d === 0 ? null : fromMinor(Math.round(n(F.spendMinor) / d), shop.currency));
    return {
      conversationsStarted: n(F.conversationsStarted),
      customersReached: n(F.customersReached),
      ordersCreated: n(F.ordersCreated),
      orders,
      revenue: fromMinor(n(F.revenueMinor), shop.currency),
      spend: fromMinor(n(F.spendMinor), shop.currency),
      roas: ratio(n(F.revenueMinor), n(F.spendMinor)),
      costPerOrder: per(orders),
      costPerConversation: per(n(F.conversationsStarted)),
    };
  };
  const hasData = (r: { conversationsStarted: number; customersReached: number; ordersCreated: number; spend: number }) =>
    r.conversationsStarted + r.customersReached + r.ordersCreated > 0 || r.spend !== 0;
  const rows: AdRow[] = [...byAd]
    .filter(([adId]) => adId !== '')
    .map(([adId, v]) => ({
      adId,
      adName: v.attrs.adName ?? v.attrs.adTitle ?? null,
      campaignId: v.attrs.campaignId ?? null,
      campaignName: v.attrs.campaignName ?? null,
      ...rowOf(v.fields),
    }))
    .filter(hasData)
    .sort((a, b) => b.revenue - a.revenue || a.adId.localeCompare(b.adId));
  const campaigns = new Map<string, { fields: Fields; name?: string }>();
  for (const [adId, v] of byAd) {
    const c = v.attrs.campaignId;
    if (!c || adId === '') continue;
    const cur = campaigns.get(c) ?? { fields: {} };
    add(cur.fields, v.fields);
    if (!cur.name && v.attrs.campaignName) cur.name = v.attrs.campaignName;
    campaigns.set(c, cur);
  }
  const campaignRows: CampaignRow[] = [...campaigns]
    .map(([campaignId, c]) => ({ campaignId, campaignName: c.name ?? null, ...rowOf(c.fields) }))
    .filter(hasData)
    .sort((a, b) => b.revenue - a.revenue || a.campaignId.localeCompare(b.campaignId));
  return { ...header(shop, q, now, !cover.exactDistinct), rows, campaigns: campaignRows };
}
