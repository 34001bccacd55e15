import type { ClosedDates, Shift, WorkingHours } from '#lib/time/business.ts';
import type { Channel } from '#lib/events/schema.ts';
import type { Shop } from '#lib/shops/schema.ts';

/** What the pure ingest and derivation code needs to know about a shop. */
export type ShopRules = {
  shopId: string;
  tz: string;
  currency: string;
  workingHours: WorkingHours;
  closedDates: ClosedDates;
  shifts: Shift[];
  slaSeconds: number;
  attributionWindowMs: number;
  pageChannels: Map<string, Channel>;
};

export function rulesOf(shop: Shop): ShopRules {
  return {
    shopId: shop.shopId,
    tz: shop.timezone,
    currency: shop.currency,
    workingHours: shop.workingHours,
    closedDates: shop.closedDates ?? [], // shops stored before closedDates existed have none
    shifts: shop.shifts,
    slaSeconds: shop.responseSlaMinutes * 60,
    attributionWindowMs: shop.attributionWindowDays * 86_400_000,
    pageChannels: new Map(shop.pages.map((p) => [p.pageId, p.channel])),
  };
}

/** Staff entity names in staff-scoped rollups besides real staff ids. */
export const UNKNOWN_STAFF = 'unknown';
export const AUTOMATED = 'automated';
/** Page entity for orders and spend that no page could be linked to. */
export const NO_PAGE = '_';
