import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { batchGet, keyId, queryAll } from '#lib/store/batch.ts';
import { pageFromItem } from '#lib/store/state-items.ts';
import type { Shop } from '#lib/shops/schema.ts';
import type { PageState } from '#lib/ingest/page.ts';

/** Shop configuration, page → shop references and API keys. */

const shopCache = new Map<string, { shop: Shop | undefined; at: number }>();
const SHOP_TTL_MS = 30_000;

export async function getShop(shopId: string, opts: { fresh?: boolean } = {}): Promise<Shop | undefined> {
  const hit = shopCache.get(shopId);
  if (!opts.fresh && hit && Date.now() - hit.at < SHOP_TTL_MS) return hit.shop;
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.shopConfig(shopId) }));
  const shop = res.Item ? (res.Item.shop as Shop) : undefined;
  shopCache.set(shopId, { shop, at: Date.now() });
  return shop;
}

export function forgetCachedShops(): void {
  shopCache.clear();
  pageCache.clear();
}

/**
 * Stores a shop and points each of its pages at it. A page already claimed by
 * another shop is refused, so one shop cannot capture another's webhooks.
 */
export async function putShop(shop: Shop): Promise<{ conflictPage?: string }> {
  const previous = await getShop(shop.shopId, { fresh: true });
  const refs = await batchGet(shop.pages.map((p) => keys.pageRef(p.pageId)));
  for (const p of shop.pages) {
    const ref = refs.get(keyId(keys.pageRef(p.pageId)));
    if (ref && ref.shopId !== shop.shopId) return { conflictPage: p.pageId };
  }
  const removed = (previous?.pages ?? []).filter((old) => !shop.pages.some((p) => p.pageId === old.pageId));
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...keys.shopConfig(shop.shopId), type: 'shop', shop } }));
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...keys.shopDirectory(shop.shopId), type: 'shop-dir', shopId: shop.shopId } }));
  for (const p of shop.pages) {
    await db().send(
      new PutCommand({ TableName: tableName(), Item: { ...keys.pageRef(p.pageId), type: 'page-ref', shopId: shop.shopId, channel: p.channel } }),
    );
  }
  for (const p of removed) {
    await db().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.pageRef(p.pageId),
        ConditionExpression: 'shopId = :s',
        ExpressionAttributeValues: { ':s': shop.shopId },
      }),
    ).catch((err: Error) => {
      if (err.name !== 'ConditionalCheckFailedException') throw err;
    });
  }
  shopCache.set(shop.shopId, { shop, at: Date.now() });
  for (const p of shop.pages) pageCache.delete(p.pageId);
  return {};
}

/** All shop ids (for digest dispatch), one Query over the directory partition. */
export async function listShopIds(): Promise<string[]> {
  const items = await queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.shopDirectoryPartition() } });
  return items.map((it) => String(it.shopId));
}

const pageCache = new Map<string, { shopId: string | undefined; at: number }>();

/** Which shop owns each page (undefined for unregistered pages). */
export async function shopsOfPages(pageIds: string[]): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  const missing: string[] = [];
  for (const id of new Set(pageIds)) {
    const hit = pageCache.get(id);
    if (hit && Date.now() - hit.at < SHOP_TTL_MS) out.set(id, hit.shopId);
    else missing.push(id);
  }
  if (missing.length > 0) {
    const got = await batchGet(missing.map((id) => keys.pageRef(id)), false);
    for (const id of missing) {
      const item = got.get(keyId(keys.pageRef(id)));
      const shopId = item ? String(item.shopId) : undefined;
      pageCache.set(id, { shopId, at: Date.now() });
      out.set(id, shopId);
    }
  }
  return out;
}

// API keys live in lib/store/api-keys.ts; re-exported for existing callers.
export { createApiKey, hashApiKey, shopOfApiKey } from '#lib/store/api-keys.ts';

/** Connection state of the shop's pages (page.connected / page.disconnected). */
export async function getPageStates(shopId: string, pageIds: string[]): Promise<PageState[]> {
  const got = await batchGet(pageIds.map((p) => keys.pageState(shopId, p)), false);
  return pageIds.map((p) => pageFromItem(shopId, p, got.get(keyId(keys.pageState(shopId, p)))));
}
