import type { Shop } from '#lib/shops/schema.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { openWait, waitsOf } from '#lib/ingest/customer.ts';
import { getShop } from '#lib/store/shops.ts';
import { batchGet, keyId } from '#lib/store/batch.ts';
import { keys } from '#lib/store/keys.ts';
import { customerFromItem } from '#lib/store/state-items.ts';
import { thresholdsOf, type Threshold } from '#lib/alerts/clock.ts';
import { alertQueue, delayUntil, type DelayedMessage } from '#lib/alerts/queue.ts';
import type { TimerMessage, WaitRef } from '#lib/alerts/messages.ts';
import { raiseAlerts } from '#lib/alerts/groups.ts';

/**
 * Timers: one delayed message per ingest batch that opens waits in a shop
 * with alerts, due when the first of those waits reaches its first
 * threshold. When it fires, each wait's thresholds are recomputed from the
 * shop's rules (working hours, SLA, warning) and the time now; a wait that
 * has reached one is checked against its conversation's state (a consistent
 * read) and alerts only if that same wait is still open, so a reply one
 * second before the threshold sends nothing. Waits not yet due go back on
 * the queue, delayed to their next threshold (at most SQS's 15 minutes, so a
 * wait opened at night hops until opening time plus its threshold).
 */

const MAX_WAITS_PER_MESSAGE = 500;
/** A wait not yet in its conversation when its timer fires is looked at again this much later, this many times. */
const UNSEEN_DELAY_SECONDS = 5;
const UNSEEN_TRIES = 6;
/** A wait that arrives (a late event, a replay) more than this past its last threshold gets no timer: an alert that late tells no one anything. */
export const STALE_MS = 3_600_000;

/** Whether a shop has anywhere to send alerts. */
export const alertsOn = (shop: Shop) => (shop.alerts?.channels.length ?? 0) > 0;

/**
 * Queues the timers of waits an ingest batch is about to open (called
 * before its commit: a timer for a wait that did not open finds no such
 * wait when it fires and sends nothing; a commit whose timers could not be
 * queued fails and is retried). Nothing is queued for a shop without alert
 * channels or a process without an alert queue.
 */
export async function scheduleWaitTimers(shop: Shop, opened: Array<{ pageId: string; customerId: string; openedAt: number }>, now: number): Promise<number> {
  const q = alertQueue();
  if (opened.length === 0 || !q || !alertsOn(shop)) return 0;
  const rules = rulesOf(shop);
  const fresh = opened.filter((w) => thresholdsOf(w.openedAt, rules, shop.alerts?.warnBeforeMinutes).at(-1)!.at > now - STALE_MS);
  const messages = timerMessages(shop, fresh, now);
  if (messages.length > 0) await q.send(messages);
  return messages.length;
}

/**
 * Timer messages for waits, each wait at its next threshold (its `next`,
 * else its first): one message per delay (in whole seconds) and up to 500
 * waits. Waits that never reach a threshold (no working time ahead) get none.
 */
export function timerMessages(shop: Shop, waits: WaitRef[], now: number): DelayedMessage[] {
  const rules = rulesOf(shop);
  const byDelay = new Map<number, WaitRef[]>();
  for (const w of waits) {
    const next = nextThreshold(w, rules, shop.alerts?.warnBeforeMinutes);
    if (!next || !Number.isFinite(next.at)) continue;
    const d = delayUntil(next.at, now);
    const list = byDelay.get(d) ?? [];
    list.push({ pageId: w.pageId, customerId: w.customerId, openedAt: w.openedAt, next: next.threshold });
    byDelay.set(d, list);
  }
  const out: DelayedMessage[] = [];
  for (const [delaySeconds, list] of [...byDelay].sort((a, b) => a[0] - b[0]))
    for (let i = 0; i < list.length; i += MAX_WAITS_PER_MESSAGE)
      out.push({ delaySeconds, body: { kind: 'timer', shopId: shop.shopId, waits: list.slice(i, i + MAX_WAITS_PER_MESSAGE) } });
  return out;
}

/** The threshold a wait waits for: its `next` (or the first one), with when it is reached. */
function nextThreshold(w: WaitRef, rules: ReturnType<typeof rulesOf>, warnBefore: number | undefined) {
  const all = thresholdsOf(w.openedAt, rules, warnBefore);
  const i = w.next ? all.findIndex((t) => t.threshold === w.next) : 0;
  return all[Math.max(0, i)];
}

export type TimerOutcome = { alerted: number; closed: number; requeued: number };

/** A timer message fired: alerts for waits that reached a threshold and are still open, the rest back on the queue. */
export async function fireTimer(msg: TimerMessage, now: number): Promise<TimerOutcome> {
  const shop = await getShop(msg.shopId);
  if (!shop || !alertsOn(shop)) return { alerted: 0, closed: 0, requeued: 0 };
  const rules = rulesOf(shop);
  const warnBefore = shop.alerts?.warnBeforeMinutes;
  const later: WaitRef[] = [];
  const due: Array<{ w: WaitRef; threshold: Threshold; after?: Threshold }> = [];
  for (const w of msg.waits) {
    const all = thresholdsOf(w.openedAt, rules, warnBefore);
    const from = Math.max(0, w.next ? all.findIndex((t) => t.threshold === w.next) : 0);
    const ahead = all.slice(from);
    const reached = ahead.filter((t) => t.at <= now);
    // a wait found past several thresholds at once (a late event, a late timer) alerts for the last one only
    if (reached.length === 0) later.push({ ...w, next: ahead[0]!.threshold });
    else due.push({ w, threshold: reached[reached.length - 1]!.threshold, ...(ahead[reached.length] ? { after: ahead[reached.length]!.threshold } : {}) });
  }
  let closed = 0;
  const notYet: WaitRef[] = [];
  const alerts = new Map<Threshold, WaitRef[]>();
  if (due.length > 0) {
    const items = await batchGet(due.map(({ w }) => keys.customer(shop.shopId, w.pageId, w.customerId)));
    for (const d of due) {
      const item = items.get(keyId(keys.customer(shop.shopId, d.w.pageId, d.w.customerId)));
      const state = customerFromItem(shop.shopId, d.w.pageId, d.w.customerId, item);
      if (openWait(state) !== d.w.openedAt) {
        // the timer was queued before its batch's commit: a wait its conversation does not hold at all yet may be
        // about to be committed (or retried after a conflict). Look again shortly, a few times; a wait that was
        // answered (or a batch that never committed) sends nothing.
        const unseen = d.w.unseen ?? 0;
        if (!waitsOf(state.entries).some((w) => w.openedAt === d.w.openedAt) && unseen < UNSEEN_TRIES) notYet.push({ ...d.w, unseen: unseen + 1 });
        else closed++;
        continue;
      }
      alerts.set(d.threshold, [...(alerts.get(d.threshold) ?? []), d.w]);
      if (d.after) later.push({ ...d.w, next: d.after });
    }
  }
  let alerted = 0;
  for (const [threshold, waits] of alerts) alerted += await raiseAlerts(shop, threshold, waits, now);
  const requeue = timerMessages(shop, later, now);
  for (let i = 0; i < notYet.length; i += MAX_WAITS_PER_MESSAGE)
    requeue.push({ delaySeconds: UNSEEN_DELAY_SECONDS, body: { kind: 'timer', shopId: shop.shopId, waits: notYet.slice(i, i + MAX_WAITS_PER_MESSAGE) } });
  if (requeue.length > 0) await alertQueue()!.send(requeue);
  return { alerted, closed, requeued: later.length + notYet.length };
}
