import { ForbiddenError, UnauthorizedError } from '#lib/errors.ts';
import { bearer } from '#lib/http/http.ts';
import { shopOfApiKey } from '#lib/store/shops.ts';
import type { HttpEvent } from '#lib/http/types.ts';

/**
 * The shop a request acts for. Behind API Gateway the Lambda authorizer has
 * already resolved the key (context `shopId`); otherwise the key is looked up.
 */
export async function shopOfRequest(event: HttpEvent): Promise<string> {
  const ctx = event.requestContext?.authorizer?.lambda;
  if (ctx && typeof ctx.shopId === 'string') {
    // The authorizer lets unknown keys through with an empty shopId so that the
    // 401 carries this service's error shape rather than API Gateway's 403.
    if (ctx.shopId) return ctx.shopId;
    throw new UnauthorizedError('Invalid API key');
  }
  const key = bearer(event);
  if (!key) throw new UnauthorizedError('Missing API key: send Authorization: Bearer <key>');
  const shopId = await shopOfApiKey(key);
  if (!shopId) throw new UnauthorizedError('Invalid API key');
  return shopId;
}

/** Throws 403 when the caller's key belongs to another shop than the path names. */
export async function requireShop(event: HttpEvent, shopId: string): Promise<void> {
  const callerShop = await shopOfRequest(event);
  if (callerShop !== shopId) throw new ForbiddenError();
}
