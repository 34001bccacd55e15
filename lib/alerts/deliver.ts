import type { AlertChannel, Shop } from '#lib/shops/schema.ts';
import { getShop } from '#lib/store/shops.ts';
import { claimAlertGroup, getAlertGroup, recordDelivery, type AlertGroup, type DeliveryStatus, type GroupRef } from '#lib/store/alerts.ts';
import { alertQueue } from '#lib/alerts/queue.ts';
import type { FlushMessage, RetryMessage } from '#lib/alerts/messages.ts';
import { alertPayload, groupId } from '#lib/alerts/payload.ts';
import { flushDueAt } from '#lib/alerts/groups.ts';
import { alertEmail } from '#lib/alerts/email.ts';
import { postWebhook } from '#lib/alerts/webhook.ts';
import { mailTransport } from '#lib/digests/transport.ts';
import { ALERT_TAG, alertTagValue } from '#lib/digests/feedback.ts';
import { isSuppressed } from '#lib/store/suppressions.ts';
import { config } from '#lib/config.ts';
import { log, metric } from '#lib/log.ts';

/**
 * Sending a group: claimed once (lib/store/alerts.ts), then each of the
 * shop's channels gets one message. A failed channel is retried with backoff
 * through the queue (10 s, 30 s, 90 s, 270 s) and after its fifth attempt is
 * dead-lettered; each channel's status (pending, delivered, retrying,
 * dead_lettered, dropped, suppressed) stays on the group for the admin API.
 * Emails go through the digests' SES configuration set, tagged with the
 * shop: a permanent bounce or complaint suppresses the address for the
 * shop (lib/digests/feedback.ts), and a suppressed address gets no more
 * alerts (status `suppressed`, not retried) until an operator lifts it.
 */

export const MAX_ATTEMPTS = 5;
export const BACKOFF_SECONDS = [10, 30, 90, 270];

const targetOf = (c: AlertChannel) => (c.type === 'email' ? c.to : c.url);

/** A flush message fired: claims the group and delivers to every channel (after a crash, to those still pending). */
export async function flushGroup(msg: FlushMessage, now: number): Promise<{ delivered: number; failed: number }> {
  const shop = await getShop(msg.shopId);
  const ref: GroupRef = { shopId: msg.shopId, window: msg.window, threshold: msg.threshold, part: msg.part };
  const channels = shop?.alerts?.channels ?? [];
  const { claimed, group } = await claimAlertGroup(ref, channels.map((c) => ({ type: c.type, target: targetOf(c) })), now);
  if (!shop || !group) return { delivered: 0, failed: 0 };
  // how late the group goes out after it was due: the alert queue's backlog, alarmed (AlertsLate) against the 60 s goal
  if (claimed) metric('AlertFlushLateSeconds', Math.max(0, (now - flushDueAt(group.window)) / 1000), {}, 'Seconds');
  const todo = Object.entries(group.deliveries).filter(([, d]) => claimed || d.status === 'pending');
  let delivered = 0;
  let failed = 0;
  for (const [i] of todo) (await deliver(shop, group, Number(i), 1, now)) ? delivered++ : failed++;
  return { delivered, failed };
}

/** A retry message fired: delivers that channel again unless it was delivered meanwhile. */
export async function retryDelivery(msg: RetryMessage, now: number): Promise<boolean> {
  const shop = await getShop(msg.shopId);
  const group = await getAlertGroup({ shopId: msg.shopId, window: msg.window, threshold: msg.threshold, part: msg.part });
  if (!shop || !group) return false;
  const d = group.deliveries[String(msg.channel)];
  if (!d || d.status === 'delivered' || d.status === 'dead_lettered' || d.status === 'dropped' || d.status === 'suppressed' || d.attempts >= msg.attempt) return d?.status === 'delivered';
  return deliver(shop, group, msg.channel, msg.attempt, now);
}

/** One attempt at one channel; records the outcome and queues the next attempt or dead-letters. */
async function deliver(shop: Shop, group: AlertGroup, channel: number, attempt: number, now: number): Promise<boolean> {
  const recorded = group.deliveries[String(channel)]!;
  const c = shop.alerts?.channels[channel];
  const status = (s: DeliveryStatus['status'], lastError?: string): DeliveryStatus => ({ type: recorded.type, target: recorded.target, status: s, attempts: attempt, at: now, ...(lastError ? { lastError } : {}) });
  if (!c || c.type !== recorded.type || targetOf(c) !== recorded.target) {
    // the shop changed its channels since the group was claimed: that channel is gone
    await recordDelivery(group, channel, status('dropped', 'channel removed from the shop settings'));
    return false;
  }
  const payload = alertPayload(shop, group, now);
  const deliveryId = `${groupId(group)}:${channel}`;
  try {
    if (c.type === 'webhook') await postWebhook(c.url, c.secret, JSON.stringify(payload), deliveryId, now);
    else {
      if (await isSuppressed(shop.shopId, c.to)) {
        await recordDelivery(group, channel, status('suppressed', 'address bounced or complained: lift it with DELETE /v1/admin/shops/{shopId}/suppressions/{email}'));
        metric('AlertsSuppressed', 1, {});
        return false;
      }
      const mail = alertEmail(payload, shop.locale);
      const from = config().SES_FROM;
      if (!from) throw new Error('Missing configuration SES_FROM');
      const tag = alertTagValue(shop.shopId);
      await mailTransport().send({ from, to: c.to, ...mail, headers: {}, idempotencyKey: `alert-${deliveryId}`, ...(tag ? { tags: { [ALERT_TAG]: tag } } : {}) });
    }
    await recordDelivery(group, channel, status('delivered'));
    metric('AlertsDelivered', 1, { channel: c.type });
    return true;
  } catch (err) {
    const reason = (err as Error).message.slice(0, 300);
    const q = alertQueue()!;
    if (attempt < MAX_ATTEMPTS) {
      await recordDelivery(group, channel, status('retrying', reason));
      await q.send([{ delaySeconds: BACKOFF_SECONDS[attempt - 1]!, body: { kind: 'retry', shopId: group.shopId, window: group.window, threshold: payload.threshold, part: group.part, channel, attempt: attempt + 1 } }]);
    } else {
      await q.deadLetter({ kind: 'retry', shopId: group.shopId, window: group.window, threshold: payload.threshold, part: group.part, channel, attempt }, reason);
      await recordDelivery(group, channel, status('dead_lettered', reason));
      metric('AlertsDeadLettered', 1, { channel: c.type });
    }
    log.warn('alert delivery failed', { shopId: group.shopId, group: groupId(group), channel, attempt, reason });
    return false;
  }
}
