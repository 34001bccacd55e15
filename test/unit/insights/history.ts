import type { Cell } from '#lib/insights/figures.ts';
import type { InsightContext } from '#lib/insights/detect.ts';

/**
 * Hand-made rollup histories for the insight tests: a shop with a Facebook
 * livestream page and a Zalo page, two staff, three shifts and two ads.
 * `day(...)` builds one period's items from plain numbers, so a test states
 * each figure it cares about directly.
 */
export const LIVE = 'p-live';
export const ZALO = 'p-zalo';

export const ctx: InsightContext = {
  currency: 'VND',
  pages: [
    { pageId: LIVE, channel: 'facebook', name: 'Hoa Mai Livestream' },
    { pageId: ZALO, channel: 'zalo', name: 'Hoa Mai Zalo' },
  ],
  staff: [
    { staffId: 'lan', name: 'Nguyễn Thị Lan' },
    { staffId: 'minh', name: 'Trần Minh' },
  ],
  shifts: ['morning', 'afternoon', 'evening'],
};

type PageDay = { reach?: number; orders?: number; cancelled?: number; revenue?: number };
/** per staff on a page: missed per shift, waits per shift (closed, within SLA), response times (seconds → waits) */
type StaffDay = {
  orders?: number;
  cancelled?: number;
  revenue?: number;
  missed?: Partial<Record<'morning' | 'afternoon' | 'evening', number>>;
  waits?: Partial<Record<'morning' | 'afternoon' | 'evening', [closed: number, withinSla: number]>>;
  /** histogram bucket index → waits */
  rt?: Record<number, number>;
};
type AdDay = { spend?: number; conversations?: number; orders?: number; revenue?: number };

export type DaySpec = {
  pages?: Partial<Record<string, PageDay>>;
  staff?: Partial<Record<string, Partial<Record<string, StaffDay>>>>; // page → staff → figures
  ads?: Partial<Record<string, Partial<Record<string, AdDay>>>>; // page → ad → figures
};

/** Ad names as an `ad.spend` event may carry them. */
export const AD_NAMES: Record<string, string> = { ad1: 'Tết sale', ad2: 'Livestream tối' };

export function day(spec: DaySpec): Cell[] {
  const out: Cell[] = [];
  for (const [pageId, p] of Object.entries(spec.pages ?? {})) {
    if (!p) continue;
    const orders = p.orders ?? 0;
    const cancelled = p.cancelled ?? 0;
    out.push({ pageId, scope: 'P', fields: { customersReached: p.reach ?? 0, ordersCreated: orders + cancelled, ordersCancelled: cancelled, revenueMinor: p.revenue ?? 0 } });
  }
  for (const [pageId, byStaff] of Object.entries(spec.staff ?? {})) {
    for (const [staffId, s] of Object.entries(byStaff ?? {})) {
      if (!s) continue;
      const f: Record<string, number> = { ordersCreated: (s.orders ?? 0) + (s.cancelled ?? 0), ordersCancelled: s.cancelled ?? 0, revenueMinor: s.revenue ?? 0 };
      let missed = 0;
      for (const [shift, m] of Object.entries(s.missed ?? {})) {
        f[`missed:${shift}`] = m;
        missed += m;
      }
      f.missed = missed;
      let closed = 0;
      let within = 0;
      for (const [shift, [c, w]] of Object.entries(s.waits ?? {})) {
        f[`slaWaits:${shift}`] = c;
        f[`slaMet:${shift}`] = w;
        closed += c;
        within += w;
      }
      f.rtCount = closed;
      f.slaMet = within;
      for (const [b, c] of Object.entries(s.rt ?? {})) f[`rt${String(b).padStart(2, '0')}`] = c;
      out.push({ pageId, scope: 'S', entity: staffId, fields: f });
    }
  }
  for (const [pageId, byAd] of Object.entries(spec.ads ?? {})) {
    for (const [adId, a] of Object.entries(byAd ?? {})) {
      if (!a) continue;
      out.push({
        pageId,
        scope: 'A',
        entity: adId,
        fields: { spendMinor: a.spend ?? 0, conversationsStarted: a.conversations ?? 0, ordersCreated: a.orders ?? 0, ordersCancelled: 0, revenueMinor: a.revenue ?? 0 },
        attrs: AD_NAMES[adId] ? { adName: AD_NAMES[adId] } : {},
      });
    }
  }
  return out;
}

/** Week-to-week wiggles of an ordinary Tuesday: the four weeks before, then "today". */
export const WIGGLE = [0, 2, -1, 1, -2] as const;

/**
 * An ordinary day of the shop, `w` a small wiggle: 200 + 5w customers on the
 * livestream page and 80 + 2w on Zalo, 40 + w and 16 orders (at 250,000 ₫ and
 * 200,000 ₫), 4 missed conversations, 170 waits (156 within the SLA) and two
 * ads at about 3× ROAS. `tweak` edits the spec before the items are built.
 */
export function ordinary(w: number, tweak?: (s: Required<DaySpec>) => void): Cell[] {
  const s: Required<DaySpec> = {
    pages: {
      [LIVE]: { reach: 200 + 5 * w, orders: 40 + w, cancelled: 3, revenue: (40 + w) * 250_000 },
      [ZALO]: { reach: 80 + 2 * w, orders: 16, cancelled: 1, revenue: 16 * 200_000 },
    },
    staff: {
      [LIVE]: {
        lan: { orders: 25 + w, cancelled: 2, revenue: (25 + w) * 250_000, missed: { morning: 1, evening: 1 }, waits: { morning: [30, 28], afternoon: [40, 37], evening: [50, 45] }, rt: { 3: 40, 5: 50, 8: 30 } },
        minh: { orders: 15, cancelled: 1, revenue: 15 * 250_000, missed: { evening: 1 }, waits: { evening: [30, 27] }, rt: { 4: 30 } },
      },
      [ZALO]: { lan: { orders: 16, cancelled: 1, revenue: 16 * 200_000, missed: { afternoon: 1 }, waits: { afternoon: [20, 19] }, rt: { 3: 20 } } },
    },
    ads: { [LIVE]: { ad1: { spend: 2_000_000, conversations: 100 + w, orders: 30 + w, revenue: (30 + w) * 200_000 }, ad2: { spend: 1_000_000, conversations: 50, orders: 5, revenue: 3_000_000 } } },
  };
  tweak?.(s);
  return day(s);
}

/** The four comparison days (ordinary) and today built by `today`. */
export function history(today: (w: number) => Cell[] = (w) => ordinary(w)): { now: Cell[]; before: Cell[][] } {
  return { now: today(WIGGLE[4]), before: WIGGLE.slice(0, 4).map((w) => ordinary(w)) };
}
