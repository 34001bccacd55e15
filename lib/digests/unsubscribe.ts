import { createHmac } from 'node:crypto';
import { config, requireSetting } from '#lib/config.ts';
import { NotFoundError, ValidationError } from '#lib/errors.ts';
import { safeEqual } from '#lib/http/http.ts';
import { getShop, updateShop } from '#lib/store/shops.ts';

/**
 * One-click unsubscribe links (RFC 8058): the link carries the shop, the
 * address and the period, signed with UNSUBSCRIBE_SIGNING_KEY (a secret of
 * its own, held by digest-dispatch and admin only: they sign the links into
 * the jobs they queue, admin verifies them), so nobody can unsubscribe
 * someone else. Rotating the key voids the links of digests already sent.
 */
function sign(shopId: string, email: string, period: string): string {
  return createHmac('sha256', requireSetting('UNSUBSCRIBE_SIGNING_KEY')).update(`${shopId}\n${email.toLowerCase()}\n${period}`).digest('base64url');
}

export function unsubscribeUrl(shopId: string, email: string, period: 'daily' | 'weekly'): string {
  const q = new URLSearchParams({ shop: shopId, email, period, sig: sign(shopId, email, period) });
  return `${config().PUBLIC_BASE_URL}/v1/unsubscribe?${q}`;
}

/** Applies an unsubscribe link: turns that period off for that recipient. */
export async function unsubscribe(params: URLSearchParams): Promise<{ shopId: string; email: string; period: string }> {
  const shopId = params.get('shop') ?? '';
  const email = params.get('email') ?? '';
  const period = params.get('period') ?? '';
  const sig = params.get('sig') ?? '';
  if (!shopId || !email || (period !== 'daily' && period !== 'weekly') || !safeEqual(sig, sign(shopId, email, period))) {
    throw new ValidationError('Invalid unsubscribe link', [{ path: 'sig', message: 'link is incomplete or was altered' }]);
  }
  const shop = await getShop(shopId, { fresh: true });
  if (shop) {
    // read-modify-write under the shop's version condition: a concurrent admin PATCH is not lost
    await updateShop(shopId, (current) => {
      if (!current) throw new NotFoundError(`No shop ${shopId}`);
      const recipients = current.recipients.map((r) => (r.email.toLowerCase() === email.toLowerCase() ? { ...r, [period]: false } : r));
      return { ...current, recipients, updatedAt: new Date().toISOString() };
    });
  }
  return { shopId, email, period };
}

/**
 * The page a GET of the link shows: a button that POSTs (link scanners and
 * prefetchers issue GETs, which must not unsubscribe anyone).
 */
export function unsubscribePage(rawQuery: string): string {
  const action = `/v1/unsubscribe?${rawQuery.replace(/[^A-Za-z0-9_.~%&=+-]/g, '')}`;
  return `<!doctype html><html lang="vi"><meta name="viewport" content="width=device-width,initial-scale=1"><title>chatpulse</title>
<body style="font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem">
<form method="post" action="${action}"><p>Hủy đăng ký nhận báo cáo qua email? / Unsubscribe from this digest?</p>
<button type="submit" style="font-size:1rem;padding:.6rem 1.2rem">Hủy đăng ký / Unsubscribe</button></form></body></html>`;
}
