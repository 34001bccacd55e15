import type { Shop } from '#lib/shops/schema.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { waitClock, type Threshold } from '#lib/alerts/clock.ts';
import { parseEntry } from '#lib/alerts/groups.ts';
import type { AlertGroup } from '#lib/store/alerts.ts';

/** The body of a webhook alert (and what an email alert is written from): a group's waits, oldest first, with their clocks at sending time. */
export type AlertPayload = {
  type: 'chatpulse.sla_alert';
  id: string;
  shopId: string;
  shopName: string;
  threshold: Threshold;
  responseSlaMinutes: number;
  warnBeforeMinutes?: number;
  timezone: string;
  window: string;
  sentAt: string;
  waits: Array<{ pageId: string; pageName?: string; channel: string; customerId: string; waitingSince: string; workingMinutesWaited: number; minutesLeft: number }>;
};

export const groupId = (g: Pick<AlertGroup, 'shopId' | 'window' | 'threshold' | 'part'>) => `${g.shopId}:${g.window}:${g.threshold}:${g.part}`;

export function alertPayload(shop: Shop, group: AlertGroup, now: number): AlertPayload {
  const rules = rulesOf(shop);
  const pages = new Map(shop.pages.map((p) => [p.pageId, p]));
  const waits = group.waits
    .map(parseEntry)
    .sort((a, b) => a.openedAt - b.openedAt || (a.pageId < b.pageId ? -1 : a.pageId > b.pageId ? 1 : a.customerId < b.customerId ? -1 : 1))
    .map((w) => {
      const page = pages.get(w.pageId);
      return {
        pageId: w.pageId,
        ...(page ? { pageName: page.name } : {}),
        channel: page?.channel ?? 'unknown',
        customerId: w.customerId,
        waitingSince: new Date(w.openedAt).toISOString(),
        ...waitClock(w.openedAt, now, rules),
      };
    });
  return {
    type: 'chatpulse.sla_alert',
    id: groupId(group),
    shopId: shop.shopId,
    shopName: shop.name,
    threshold: group.threshold as Threshold,
    responseSlaMinutes: shop.responseSlaMinutes,
    ...(shop.alerts?.warnBeforeMinutes !== undefined ? { warnBeforeMinutes: shop.alerts.warnBeforeMinutes } : {}),
    timezone: shop.timezone,
    window: group.window,
    sentAt: new Date(now).toISOString(),
    waits,
  };
}
