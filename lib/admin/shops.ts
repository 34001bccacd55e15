import { ConflictError, NotFoundError, ValidationError } from '#lib/errors.ts';
import { parseWith } from '#lib/http/http.ts';
import { shopIdSchema, shopInputSchema, type Shop } from '#lib/shops/schema.ts';
import { mergePatch } from '#lib/shops/merge-patch.ts';
import { keepStoredSecrets, shopView } from '#lib/shops/alert-secrets.ts';
import { getStoredShop, listShopsPage, updateShop, type ShopWriteResult } from '#lib/store/shops.ts';

/**
 * `PUT /v1/admin/shops/{shopId}`: validates and stores a shop's whole
 * configuration. A webhook alert channel may leave out its secret when the
 * shop already has that URL (the stored secret stays: lib/shops/alert-secrets.ts).
 * Every answer shows the shop without its webhook secrets (`shopView`).
 */
export async function upsertShop(shopId: string, body: unknown, now = new Date()): Promise<Shop> {
  const id = parseWith(shopIdSchema, shopId, 'shop id');
  return stored(
    await updateShop(id, (current) => {
      const settings = parseWith(shopInputSchema, keepStoredSecrets(body, current), 'shop');
      return { ...settings, shopId: id, updatedAt: now.toISOString() };
    }),
  );
}

/**
 * `PATCH /v1/admin/shops/{shopId}`: a JSON merge patch (RFC 7396) over the
 * stored settings, validated as a whole shop after merging: fields it does not
 * name stay as they are, `null` removes a field (an optional one goes back to
 * its default). A concurrent write makes the patch apply again to the newer
 * shop (the store's version condition), so no update is lost.
 */
export async function patchShop(shopId: string, patch: unknown, now = new Date()): Promise<Shop> {
  const id = parseWith(shopIdSchema, shopId, 'shop id');
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new ValidationError('A shop patch is a JSON object (RFC 7396 merge patch)', [{ path: '', message: 'expected an object' }]);
  }
  return stored(
    await updateShop(id, (current) => {
      if (!current) throw new NotFoundError(`No shop ${id}`);
      const { shopId: _id, updatedAt: _at, ...settings } = current;
      const merged = parseWith(shopInputSchema, keepStoredSecrets(mergePatch(settings, patch), current), 'shop after the patch');
      return { ...merged, shopId: id, updatedAt: now.toISOString() };
    }),
  );
}

/** `GET /v1/admin/shops/{shopId}`: the stored settings (secrets and keys live elsewhere and never appear here; alert webhook secrets are shown as `secretSet`). */
export async function getShopSettings(shopId: string): Promise<Shop> {
  const id = parseWith(shopIdSchema, shopId, 'shop id');
  const found = await getStoredShop(id);
  if (!found) throw new NotFoundError(`No shop ${id}`);
  return shopView(found.shop);
}

const LIST_LIMIT_DEFAULT = 50;
const LIST_LIMIT_MAX = 100;

/** `GET /v1/admin/shops?limit&cursor`: shops in id order, `nextCursor` while more remain. */
export async function listShops(params: URLSearchParams): Promise<{ shops: Shop[]; nextCursor?: string }> {
  const limitRaw = params.get('limit');
  const limit = limitRaw === null ? LIST_LIMIT_DEFAULT : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT_MAX) {
    throw new ValidationError('Invalid limit', [{ path: 'limit', message: `an integer from 1 to ${LIST_LIMIT_MAX}` }]);
  }
  const cursor = params.get('cursor');
  let after: string | undefined;
  if (cursor) {
    after = Buffer.from(cursor, 'base64url').toString('utf8');
    if (!shopIdSchema.safeParse(after).success) throw new ValidationError('Invalid cursor', [{ path: 'cursor', message: 'use the nextCursor of the previous page' }]);
  }
  const page = await listShopsPage(limit, after);
  return { shops: page.shops.map(shopView), ...(page.lastShopId ? { nextCursor: Buffer.from(page.lastShopId, 'utf8').toString('base64url') } : {}) };
}

function stored(res: ShopWriteResult): Shop {
  if (res.ok) return shopView(res.shop);
  if ('conflictPage' in res) {
    throw new ConflictError(`Page ${res.conflictPage} already belongs to another shop`, [{ path: 'pages', message: `page ${res.conflictPage} is registered by another shop` }]);
  }
  throw new ConflictError('The shop kept changing under this write; try again');
}
