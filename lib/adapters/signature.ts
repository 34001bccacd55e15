import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signature checks over the raw request bytes. Each returns false,
 * never throws, for a missing, malformed, truncated or wrong signature, and
 * compares digests in constant time.
 */

/** Constant-time comparison; different lengths (or nothing to compare) never match. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  return timingSafeEqual(a, b);
}

const bytesOf = (raw: Buffer | string) => (Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8'));

/**
 * Meta: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`.
 * @returns true only for the exact 64-hex-digit HMAC of `rawBody`.
 */
export function verifyMetaSignature(rawBody: Buffer | string, header: string | undefined, appSecret: string): boolean {
  if (typeof header !== 'string' || !appSecret) return false;
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m) return false;
  const expected = createHmac('sha256', appSecret).update(bytesOf(rawBody)).digest();
  return sameBytes(Buffer.from(m[1]!, 'hex'), expected);
}

/**
 * Zalo OA: `X-ZEvent-Signature: mac=<hex SHA-256 of app_id + raw body +
 * timestamp + OA secret key>`, `timestamp` being the body's own field (so a
 * body that is not JSON, or has no timestamp, fails).
 * @returns true only for the exact 64-hex-digit digest.
 */
export function verifyZaloSignature(rawBody: Buffer | string, header: string | undefined, appId: string, oaSecretKey: string): boolean {
  if (typeof header !== 'string' || !appId || !oaSecretKey) return false;
  const m = /^mac=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m) return false;
  const body = bytesOf(rawBody);
  let timestamp: unknown;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    timestamp = parsed && typeof parsed === 'object' ? (parsed as { timestamp?: unknown }).timestamp : undefined;
  } catch {
    return false;
  }
  if (typeof timestamp !== 'string' && typeof timestamp !== 'number') return false;
  const expected = createHash('sha256').update(appId).update(body).update(String(timestamp)).update(oaSecretKey).digest();
  return sameBytes(Buffer.from(m[1]!, 'hex'), expected);
}

/**
 * Haravan (`X-Haravan-Hmacsha256`), Sapo (`X-Sapo-Hmacsha256`), Shopify
 * (`X-Shopify-Hmac-Sha256`): base64 HMAC-SHA256 of the raw body with the
 * webhook secret.
 * @returns true only for the exact 44-character base64 HMAC of `rawBody`.
 */
export function verifyOrderSignature(rawBody: Buffer | string, header: string | undefined, secret: string): boolean {
  if (!isOrderSignatureShaped(header) || !secret) return false;
  const value = header.trim();
  const expected = createHmac('sha256', secret).update(bytesOf(rawBody)).digest();
  return sameBytes(Buffer.from(value, 'base64'), expected);
}

/**
 * Whether an order platform's signature header could be a signature at all
 * (44 characters of base64: an HMAC-SHA256). Checked before the shop's secret
 * is read, so a missing or malformed header costs no read.
 */
export function isOrderSignatureShaped(header: string | undefined): header is string {
  return typeof header === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(header.trim());
}
