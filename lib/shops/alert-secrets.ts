import type { Shop } from '#lib/shops/schema.ts';

/**
 * An alert webhook's signing secret is write-only (like the order webhook
 * secrets, SPEC §4.2): the admin API never returns it. A shop as the API
 * shows it carries `secretSet: true` and the secret's last four characters
 * instead, and a PUT or PATCH may leave `secret` out of a webhook channel
 * whose URL the shop already has: the stored secret stays. So a GET's body
 * can be sent back as a PUT without knowing the secret.
 */

/** How the admin API shows a webhook channel: the secret replaced by a hint. */
export type WebhookChannelView = { type: 'webhook'; url: string; secretSet: true; secretLast4: string };

/** The shop as the admin API answers it: every webhook secret replaced by `secretSet` and its last four characters. */
export function shopView(shop: Shop): Shop {
  if (!shop.alerts) return shop;
  const channels = shop.alerts.channels.map((c) => (c.type === 'webhook' ? ({ type: 'webhook', url: c.url, secretSet: true, secretLast4: c.secret.slice(-4) } satisfies WebhookChannelView) : c));
  // the view is what the API returns; its webhook channels no longer satisfy the input schema's `secret`
  return { ...shop, alerts: { ...shop.alerts, channels } } as unknown as Shop;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The settings a client sent (before validation), with the stored secret
 * filled into each webhook channel that names no secret and whose URL the
 * current shop already sends to. Anything else is left for the schema to
 * judge (a new URL without a secret is still refused).
 */
export function keepStoredSecrets(input: unknown, current: Shop | undefined): unknown {
  if (!isObject(input) || !isObject(input.alerts) || !Array.isArray(input.alerts.channels)) return input;
  const stored = new Map((current?.alerts?.channels ?? []).flatMap((c) => (c.type === 'webhook' ? [[c.url, c.secret] as const] : [])));
  const channels = input.alerts.channels.map((c: unknown) => {
    if (!isObject(c) || c.type !== 'webhook' || c.secret !== undefined || typeof c.url !== 'string') return c;
    const secret = stored.get(c.url);
    if (secret === undefined) return c;
    const { secretSet: _set, secretLast4: _last4, ...rest } = c;
    return { ...rest, secret };
  });
  return { ...input, alerts: { ...input.alerts, channels } };
}
