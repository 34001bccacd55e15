import { ConflictError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { shopIdSchema, shopInputSchema, type Shop } from '#lib/shops/schema.ts';
import { putShop } from '#lib/store/shops.ts';

/** `PUT /v1/admin/shops/{shopId}`: validates and stores a shop's configuration. */
export async function upsertShop(shopId: string, body: unknown, now = new Date()): Promise<Shop> {
  const id = parseWith(shopIdSchema, shopId, 'shop id');
  const settings = parseWith(shopInputSchema, body, 'shop');
  const shop: Shop = { ...settings, shopId: id, updatedAt: now.toISOString() };
  const { conflictPage } = await putShop(shop);
  if (conflictPage) throw new ConflictError(`Page ${conflictPage} already belongs to another shop`, [{ path: 'pages', message: `page ${conflictPage} is registered by another shop` }]);
  return shop;
}
