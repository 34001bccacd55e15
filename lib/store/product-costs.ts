import { keys } from '#lib/store/keys.ts';
import { batchGet, batchWrite, keyId, queryAll, type WriteRequest } from '#lib/store/batch.ts';
import { parseDecimal, type CostLookup } from '#lib/adapters/orders.ts';

/**
 * The shop's product cost table (SPEC §4.2): one item per SKU or variant id
 * in the partition `SHOP#<shop>#COST`, the cost kept as its exact decimal text.
 */

export type CostEntry = { by: 'sku' | 'variant'; ref: string; cost: string };

/** Replaces the whole table: writes every entry and deletes the ones no longer listed. */
export async function replaceProductCosts(shopId: string, entries: CostEntry[]): Promise<{ written: number; deleted: number }> {
  const existing = await queryAll({
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.productCostPartition(shopId) },
    ProjectionExpression: 'PK, SK',
  });
  const keep = new Set(entries.map((e) => keyId(keys.productCost(shopId, e.by, e.ref))));
  const deletes: WriteRequest[] = existing
    .filter((it) => !keep.has(keyId({ PK: String(it.PK), SK: String(it.SK) })))
    .map((it) => ({ DeleteRequest: { Key: { PK: String(it.PK), SK: String(it.SK) } } }));
  const puts: WriteRequest[] = entries.map((e) => ({ PutRequest: { Item: { ...keys.productCost(shopId, e.by, e.ref), type: 'product-cost', by: e.by, ref: e.ref, cost: e.cost } } }));
  await batchWrite([...puts, ...deletes]);
  return { written: puts.length, deleted: deletes.length };
}

/** Costs of the given variant ids and SKUs (those in the table). */
export async function getProductCosts(shopId: string, refs: { variantIds: string[]; skus: string[] }): Promise<CostLookup> {
  const out: CostLookup = { byVariant: new Map(), bySku: new Map() };
  const wanted = [
    ...refs.variantIds.map((ref) => ({ by: 'variant' as const, ref })),
    ...refs.skus.map((ref) => ({ by: 'sku' as const, ref })),
  ];
  if (wanted.length === 0) return out;
  const got = await batchGet(wanted.map((w) => keys.productCost(shopId, w.by, w.ref)), false);
  for (const w of wanted) {
    const item = got.get(keyId(keys.productCost(shopId, w.by, w.ref)));
    const cost = item ? parseDecimal(String(item.cost)) : undefined;
    if (cost) (w.by === 'variant' ? out.byVariant : out.bySku).set(w.ref, cost);
  }
  return out;
}
