import { batchWrite, queryAll, type WriteRequest } from '#lib/store/batch.ts';
import { keys, unpart, type Period, type RollupScope } from '#lib/store/keys.ts';

/**
 * Reads of rollup items. One Query per page, scope and period type returns
 * every item between two period keys: a 30-day report reads about 30 day
 * items per page, a year about 12 month items.
 */
export type RollupItem = {
  pageId: string;
  scope: RollupScope;
  period: Period;
  periodKey: string;
  entity?: string;
  fields: Record<string, number>;
  attrs: Record<string, string>;
};

export type ReadStats = { queries: number; items: number; capacityUnits: number };

export function newReadStats(): ReadStats {
  return { queries: 0, items: 0, capacityUnits: 0 };
}

/** Rollup items of one page, scope and period type with `fromKey <= periodKey <= toKey`. */
export async function getRollups(
  shopId: string,
  pageId: string,
  scope: RollupScope,
  period: Period,
  fromKey: string,
  toKey: string,
  stats?: ReadStats,
): Promise<RollupItem[]> {
  const prefix = keys.rollupSortPrefix(scope, period);
  const items = await queryAll(
    {
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':pk': keys.rollupPartition(shopId, pageId), ':a': `${prefix}${fromKey}`, ':b': `${prefix}${toKey}#\uffff` },
      ReturnConsumedCapacity: 'TOTAL',
    },
    (n, cu) => {
      if (!stats) return;
      stats.queries++;
      stats.items += n;
      stats.capacityUnits += cu;
    },
  );
  return items.map((it) => toRollup(pageId, it));
}

function toRollup(pageId: string, it: Record<string, unknown>): RollupItem {
  const sk = String(it.SK);
  const scope = sk[0] as RollupScope;
  const period = sk[1] as Period;
  const rest = sk.slice(3);
  const hash = rest.indexOf('#');
  const periodKey = hash < 0 ? rest : rest.slice(0, hash);
  const entity = hash < 0 ? undefined : unpart(rest.slice(hash + 1));
  const fields: Record<string, number> = {};
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(it)) {
    if (k === 'PK' || k === 'SK') continue;
    if (typeof v === 'number') fields[k] = v;
    else if (typeof v === 'string') attrs[k] = v;
  }
  return { pageId, scope, period, periodKey, ...(entity !== undefined ? { entity } : {}), fields, attrs };
}

/**
 * Replaces the rollup items of one page for the given period keys with
 * `computed` (item id → fields, as `lib/rollups/cells.ts` builds them):
 * items not in `computed` are deleted, the others overwritten whole.
 */
export async function replaceRollups(
  shopId: string,
  pageId: string,
  periodKeys: Array<{ period: Period; key: string }>,
  computed: Map<string, { scope: RollupScope; period: Period; periodKey: string; entity?: string; fields: Map<string, number>; attrs?: Record<string, string> }>,
): Promise<{ written: number; deleted: number }> {
  const existing: RollupItem[] = [];
  for (const scope of ['P', 'S', 'A'] as RollupScope[]) {
    for (const { period, key } of periodKeys) existing.push(...(await getRollups(shopId, pageId, scope, period, key, key)));
  }
  const keep = new Set<string>();
  const writes: WriteRequest[] = [];
  for (const r of computed.values()) {
    const k = keys.rollup(shopId, pageId, r.scope, r.period, r.periodKey, r.entity);
    keep.add(k.SK);
    writes.push({ PutRequest: { Item: { ...k, ...r.attrs, ...Object.fromEntries(r.fields) } } });
  }
  for (const e of existing) {
    const k = keys.rollup(shopId, pageId, e.scope, e.period, e.periodKey, e.entity);
    if (!keep.has(k.SK)) writes.push({ DeleteRequest: { Key: k } });
  }
  await batchWrite(writes);
  return { written: computed.size, deleted: writes.length - computed.size };
}
