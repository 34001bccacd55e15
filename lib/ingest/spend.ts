import type { EventOf } from '#lib/events/schema.ts';
import { addCell, F, PERIODS, periodsOf, type Cells } from '#lib/rollups/cells.ts';
import { toMinor } from '#lib/money.ts';
import { NO_PAGE, type ShopRules } from '#lib/ingest/context.ts';

/** Ad spend of one ad on one local day; each ad.spend event adds its amount once. */
export type SpendState = {
  shopId: string;
  adId: string;
  day: string;
  v: number;
  /** event id → [minor amount, page id or '_'] */
  amounts: Record<string, [number, string]>;
  campaignId?: string;
  /** instant of the day used for bucketing (ms) */
  t: number;
};

export function emptySpend(shopId: string, adId: string, day: string, t: number): SpendState {
  return { shopId, adId, day, v: 0, amounts: {}, t };
}

export function applySpendEvent(state: SpendState, ev: EventOf<'ad.spend'>, rules: ShopRules): SpendState {
  if (state.amounts[ev.id]) return state;
  return {
    ...state,
    amounts: { ...state.amounts, [ev.id]: [toMinor(ev.amount, rules.currency), ev.pageId ?? NO_PAGE] },
    ...(ev.campaignId ? { campaignId: ev.campaignId } : {}),
  };
}

export function deriveSpend(s: SpendState, rules: ShopRules): Cells {
  const cells: Cells = new Map();
  const p = periodsOf(s.t, rules.tz);
  for (const [minor, pageId] of Object.values(s.amounts)) {
    for (const period of PERIODS) {
      addCell(cells, { pageId, scope: 'A', period, periodKey: p[period], entity: s.adId }, F.spendMinor, minor);
    }
  }
  return cells;
}
