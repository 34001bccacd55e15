import * as z from '#lib/zod.ts';
import { NotFoundError, ValidationError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { createApiKeyWithId, listApiKeys, revokeApiKey, type ApiKeyInfo } from '#lib/store/api-keys.ts';
import { getShop } from '#lib/store/shops.ts';

/** The API key lifecycle of SPEC §4.2: issue (shown once), list (never the key), revoke. */

export const apiKeyRequestSchema = z.object({
  name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
  expiresAt: z.optional(z.iso.datetime({ offset: true })).check(z.describe('When the key stops working; ISO-8601 with offset')),
});

async function requireShopExists(shopId: string): Promise<void> {
  if (!(await getShop(shopId, { fresh: true }))) throw new NotFoundError(`Unknown shop ${shopId}`);
}

/** `POST /v1/admin/shops/{shopId}/api-keys {name?, expiresAt?}`: a new key, returned once with its id. */
export async function issueApiKey(shopId: string, body: unknown = {}, now = new Date()): Promise<{ keyId: string; apiKey: string }> {
  const req = parseWith(apiKeyRequestSchema, body ?? {}, 'API key request');
  if (req.expiresAt !== undefined && Date.parse(req.expiresAt) <= now.getTime()) {
    throw new ValidationError('Invalid API key request', [{ path: 'expiresAt', message: 'must be in the future' }]);
  }
  await requireShopExists(shopId);
  return createApiKeyWithId(shopId, {
    ...(req.name !== undefined ? { name: req.name } : {}),
    ...(req.expiresAt !== undefined ? { expiresAt: new Date(req.expiresAt).toISOString() } : {}),
    now,
  });
}

/** `GET /v1/admin/shops/{shopId}/api-keys`: id, name, created, last used and expiry of each key. */
export async function listShopApiKeys(shopId: string): Promise<{ keys: ApiKeyInfo[] }> {
  await requireShopExists(shopId);
  return { keys: await listApiKeys(shopId) };
}

/** `DELETE /v1/admin/shops/{shopId}/api-keys/{keyId}`: the key stops working (after the authorizer cache time). */
export async function revokeShopApiKey(shopId: string, keyId: string): Promise<void> {
  if (!(await revokeApiKey(shopId, keyId))) throw new NotFoundError(`Shop ${shopId} has no API key ${keyId}`);
}
