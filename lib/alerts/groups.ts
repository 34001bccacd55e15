import type { Shop } from '#lib/shops/schema.ts';
import type { Threshold } from '#lib/alerts/clock.ts';
import type { WaitRef } from '#lib/alerts/messages.ts';
import { alertQueue } from '#lib/alerts/queue.ts';
import { config } from '#lib/config.ts';
import { addToAlertGroup, claimAlertMarker, getAlertGroup, markFlushQueued, moveAlertMarker, type GroupRef } from '#lib/store/alerts.ts';

/**
 * Grouping: alerts of one shop and threshold raised within the same minute
 * (ALERT_GROUP_SECONDS, default 60) go into one group, sent once that
 * window is over (a storm of 500 waits makes one message per threshold and
 * minute, not 500). Each wait and
 * threshold is claimed once by a marker (lib/store/alerts.ts) that records
 * its group, so a redelivered timer or a restart re-adds it to the same
 * group (adding is idempotent) and never to a second one.
 */

/** The grouping window (ms). */
export const groupWindowMs = () => config().ALERT_GROUP_SECONDS * 1000;
/** How long after its minute a group is sent: room for timers of that minute still in flight. */
export const FLUSH_GRACE_MS = 2_000;

/** A wait as a group holds it: a JSON array, unambiguous whatever the ids contain. */
export const entryOf = (w: { openedAt: number; pageId: string; customerId: string }) => JSON.stringify([w.openedAt, w.pageId, w.customerId]);
export function parseEntry(e: string): { openedAt: number; pageId: string; customerId: string } {
  const [openedAt, pageId, customerId] = JSON.parse(e) as [number, string, string];
  return { openedAt, pageId, customerId };
}

const windowOf = (t: number) => new Date(Math.floor(t / groupWindowMs()) * groupWindowMs()).toISOString();
const sameGroup = (a: GroupRef, b: GroupRef) => a.window === b.window && a.part === b.part;

/** Raises the alerts of waits that reached `threshold` (still open: the caller checked); returns how many were new. */
export async function raiseAlerts(shop: Shop, threshold: Threshold, waits: WaitRef[], now: number): Promise<number> {
  const home: GroupRef = { shopId: shop.shopId, window: windowOf(now), threshold, part: 0 };
  // 1. claim each wait's marker; an existing marker names the group its alert is in
  const claims = await Promise.all(waits.map(async (w) => ({ w, ...(await claimAlertMarker(shop.shopId, w, threshold, home, now)) })));
  const fresh = claims.filter((c) => c.claimed).length;
  // 2. add each to its group; a group that is full or already sent passes its waits on to the next part or minute
  let pending = claims.map((c) => ({ w: c.w, group: c.group, moved: false }));
  for (let round = 0; pending.length > 0; round++) {
    if (round > 20) throw new Error(`alerts: could not place ${pending.length} waits of ${shop.shopId} in a group`);
    const next: typeof pending = [];
    const byGroup = new Map<string, typeof pending>();
    for (const p of pending) {
      const k = `${p.group.window}#${p.group.part}`;
      byGroup.set(k, [...(byGroup.get(k) ?? []), p]);
    }
    for (const list of byGroup.values()) {
      const g = list[0]!.group;
      const res = await addToAlertGroup(g, list.map((p) => entryOf(p.w)), now);
      if (res.outcome === 'added') {
        for (const p of list) if (p.moved) await moveAlertMarker(shop.shopId, p.w, threshold, g);
        if (!res.flushQueued) await queueFlush(g, now);
        continue;
      }
      let stay = new Set<string>();
      if (res.outcome === 'sent') {
        // waits already in the sent group went out with it (a redelivery): nothing more to do for them
        stay = new Set((await getAlertGroup(g))?.waits ?? []);
      }
      const onward: GroupRef = res.outcome === 'full' ? { ...g, part: g.part + 1 } : { ...g, window: windowOf(Math.max(now, Date.parse(g.window) + groupWindowMs())), part: 0 };
      for (const p of list) if (!stay.has(entryOf(p.w)) && !sameGroup(onward, p.group)) next.push({ w: p.w, group: onward, moved: true });
    }
    pending = next;
  }
  return fresh;
}

/** When a group is due to be sent: its window over, plus the grace. */
export const flushDueAt = (window: string) => Date.parse(window) + groupWindowMs() + FLUSH_GRACE_MS;

async function queueFlush(g: GroupRef, now: number): Promise<void> {
  const due = flushDueAt(g.window);
  await alertQueue()!.send([
    { delaySeconds: Math.max(0, Math.ceil((due - now) / 1000)), body: { kind: 'flush', shopId: g.shopId, window: g.window, threshold: g.threshold as Threshold, part: g.part } },
  ]);
  await markFlushQueued(g);
}
