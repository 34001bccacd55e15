import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of two byte strings of possibly different length. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  return timingSafeEqual(a, b);
}

const HEX = /^[0-9a-f]+$/i;

/** Meta: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`. */
export function verifyMetaSignature(rawBody: Buffer | string, header: string | undefined, appSecret: string): boolean {
  if (!header || !appSecret) return false;
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return sameBytes(Buffer.from(m[1]!, 'hex'), expected);
}

/**
 * Zalo OA: `X-ZEvent-Signature: mac=<hex SHA-256 of app_id + raw body +
 * timestamp + OA secret key>`, `timestamp` being the body's own field.
 */
export function verifyZaloSignature(rawBody: Buffer | string, header: string | undefined, appId: string, oaSecretKey: string): boolean {
  if (!header || !appId || !oaSecretKey) return false;
  const m = /^mac=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m || !HEX.test(m[1]!)) return false;
  let timestamp: unknown;
  try {
    timestamp = (JSON.parse(Buffer.isBuffer(rawBody) ? rawBody.toString('utf8') : rawBody) as { timestamp?: unknown }).timestamp;
  } catch {
    return false;
  }
  if (typeof timestamp !== 'string' && typeof timestamp !== 'number') return false;
  const body = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8');
  const expected = createHash('sha256').update(appId).update(body).update(String(timestamp)).update(oaSecretKey).digest();
  return sameBytes(Buffer.from(m[1]!, 'hex'), expected);
}

/** Haravan, Sapo, Shopify: base64 HMAC-SHA256 of the raw body with the webhook secret. */
export function verifyOrderSignature(rawBody: Buffer | string, header: string | undefined, secret: string): boolean {
  if (!header || !secret) return false;
  const value = header.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(value)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return sameBytes(Buffer.from(value, 'base64'), expected);
}
