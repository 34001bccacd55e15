import { createHmac } from 'node:crypto';
import { isAllowedWebhookUrl } from '#lib/shops/schema.ts';

/**
 * Webhook alerts, signed as the platforms sign theirs (Stripe's scheme):
 * `X-Chatpulse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`
 * with the channel's secret. A receiver recomputes the HMAC over the raw
 * body, compares in constant time and refuses an old `t` (replay).
 */

export const SIGNATURE_HEADER = 'x-chatpulse-signature';
export const DELIVERY_HEADER = 'x-chatpulse-delivery';
const TIMEOUT_MS = 5_000;

export function signatureOf(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

/** Posts one alert; throws on a refused URL, a network error, a timeout or any status but 2xx. */
export async function postWebhook(url: string, secret: string, body: string, deliveryId: string, now: number): Promise<void> {
  if (!isAllowedWebhookUrl(url)) throw new Error('webhook URL not allowed (https, or http on loopback only)');
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'chatpulse-alerts', [SIGNATURE_HEADER]: signatureOf(secret, body, Math.floor(now / 1000)), [DELIVERY_HEADER]: deliveryId },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new Error(`webhook answered ${res.status}`);
}
