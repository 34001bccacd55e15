import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError, ValidationError } from '#lib/errors.ts';
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

/** A shop as stored, with the version its next write is conditioned on (0: no item yet). */
export type StoredShop = { shop: Shop; version: number };

/** The stored shop and its version, read consistently (for a read-modify-write). */
export async function getStoredShop(shopId: string): Promise<StoredShop | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.shopConfig(shopId), ConsistentRead: true }));
  if (!res.Item) return undefined;
  return { shop: res.Item.shop as Shop, version: typeof res.Item.version === 'number' ? res.Item.version : 0 };
}

/** Page ids changed in one write at most: the write is one transaction of 100 items (config and directory take two). */
export const MAX_PAGE_CHANGES_PER_WRITE = 98;

export type ShopWriteResult = { ok: true; shop: Shop; version: number } | { ok: false; conflictPage: string } | { ok: false; stale: true };

/**
 * Writes a shop over `previous` (what the caller read; undefined: no shop yet)
 * in one transaction: the config item on the condition that its version is
 * still the one read, each newly listed page's reference on the condition
 * that no other shop holds it, and each dropped page's reference released if
 * it is still ours. Two concurrent claims of one page therefore cannot both
 * succeed, and two concurrent writes of one shop cannot both apply.
 */
export async function writeShop(shop: Shop, previous: StoredShop | undefined): Promise<ShopWriteResult> {
  const oldPages = new Set((previous?.shop.pages ?? []).map((p) => p.pageId));
  const newPages = new Set(shop.pages.map((p) => p.pageId));
  const claimed = shop.pages.filter((p) => !oldPages.has(p.pageId));
  const released = [...oldPages].filter((id) => !newPages.has(id));
  // a page listed before and still listed may still have no reference (written before references were kept): claim it too
  const kept = shop.pages.filter((p) => oldPages.has(p.pageId));
  const refs = kept.length > 0 ? await batchGet(kept.map((p) => keys.pageRef(p.pageId))) : new Map<string, Record<string, unknown>>();
  for (const p of kept) {
    const ref = refs.get(keyId(keys.pageRef(p.pageId)));
    if (!ref || ref.shopId !== shop.shopId || ref.channel !== p.channel) claimed.push(p);
  }
  if (claimed.length + released.length > MAX_PAGE_CHANGES_PER_WRITE) {
    throw new ValidationError(`At most ${MAX_PAGE_CHANGES_PER_WRITE} pages can be added or removed in one call`, [
      { path: 'pages', message: `${claimed.length} added and ${released.length} removed; split the change into several calls` },
    ]);
  }
  const version = (previous?.version ?? 0) + 1;
  const me = { ':me': shop.shopId };
  const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
    {
      Put: {
        TableName: tableName(),
        Item: { ...keys.shopConfig(shop.shopId), type: 'shop', shop, version },
        ...(previous === undefined
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : previous.version === 0
            ? { ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(version)' }
            : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': previous.version } }),
      },
    },
    { Put: { TableName: tableName(), Item: { ...keys.shopDirectory(shop.shopId), type: 'shop-dir', shopId: shop.shopId } } },
    ...claimed.map((p) => ({
      Put: {
        TableName: tableName(),
        Item: { ...keys.pageRef(p.pageId), type: 'page-ref', shopId: shop.shopId, channel: p.channel },
        ConditionExpression: 'attribute_not_exists(PK) OR shopId = :me',
        ExpressionAttributeValues: me,
      },
    })),
    ...released.map((pageId) => ({
      Delete: { TableName: tableName(), Key: keys.pageRef(pageId), ConditionExpression: 'attribute_not_exists(PK) OR shopId = :me', ExpressionAttributeValues: me },
    })),
  ];
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (err) {
    const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
    if (e.name === 'TransactionConflictException') return { ok: false, stale: true };
    if (e.name !== 'TransactionCanceledException') throw err;
    const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
    const pageAt = codes.findIndex((c, i) => i >= 2 && i < 2 + claimed.length && c === 'ConditionalCheckFailed');
    if (pageAt >= 0) return { ok: false, conflictPage: claimed[pageAt - 2]!.pageId };
    // the config's version moved, a released page changed hands, or a concurrent transaction touched an item: read again
    if (codes.every((c) => c === 'None' || c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) return { ok: false, stale: true };
    throw err;
  }
  shopCache.set(shop.shopId, { shop, at: Date.now() });
  for (const p of [...shop.pages.map((x) => x.pageId), ...released]) pageCache.delete(p);
  return { ok: true, shop, version };
}

/**
 * Read-modify-write of one shop: `change` gets the stored shop (undefined when
 * there is none) and returns the shop to store; a concurrent write in between
 * makes it run again on the newer shop, so no update is lost.
 */
export async function updateShop(shopId: string, change: (current: Shop | undefined) => Shop): Promise<ShopWriteResult> {
  for (let attempt = 0; ; attempt++) {
    const previous = await getStoredShop(shopId);
    const res = await writeShop(change(previous?.shop), previous);
    if (res.ok || !('stale' in res)) return res;
    if (attempt >= 20) throw new ConflictError('The shop kept changing under this write; try again');
    await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
  }
}

/** Stores a shop whatever is stored now (tests and fixtures); a page of another shop is refused. */
export async function putShop(shop: Shop): Promise<{ conflictPage?: string }> {
  const res = await updateShop(shop.shopId, () => shop);
  return res.ok ? {} : 'conflictPage' in res ? { conflictPage: res.conflictPage } : {};
}

/** One page of the shop directory, in shop id order, after `afterShopId`. */
export async function listShopsPage(limit: number, afterShopId?: string): Promise<{ shops: Shop[]; lastShopId?: string }> {
  const res = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.shopDirectoryPartition() },
      Limit: limit,
      ...(afterShopId ? { ExclusiveStartKey: keys.shopDirectory(afterShopId) } : {}),
    }),
  );
  const ids = (res.Items ?? []).map((it) => String(it.shopId));
  const got = await batchGet(ids.map((id) => keys.shopConfig(id)), false);
  const shops = ids.flatMap((id) => {
    const item = got.get(keyId(keys.shopConfig(id)));
    return item ? [item.shop as Shop] : [];
  });
  return { shops, ...(res.LastEvaluatedKey ? { lastShopId: ids.at(-1) } : {}) };
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

/**
 * Takes a shop off the air before its data is deleted: its page references
 * (so no webhook reaches it), its directory entry (no digest is dispatched)
 * and its settings go. Returns how many items it removed.
 */
export async function detachShop(shopId: string): Promise<number> {
  const stored = await getStoredShop(shopId);
  let removed = 0;
  for (const p of stored?.shop.pages ?? []) {
    try {
      await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.pageRef(p.pageId), ConditionExpression: 'shopId = :s', ExpressionAttributeValues: { ':s': shopId }, ReturnValues: 'ALL_OLD' }));
      removed++;
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    }
    pageCache.delete(p.pageId);
  }
  for (const k of [keys.shopDirectory(shopId), keys.shopConfig(shopId)]) {
    const res = await db().send(new DeleteCommand({ TableName: tableName(), Key: k, ReturnValues: 'ALL_OLD' }));
    if (res.Attributes) removed++;
  }
  shopCache.delete(shopId);
  return removed;
}
