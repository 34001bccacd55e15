import { batchWrite, queryAll, type WriteRequest } from '#lib/store/batch.ts';
import { keys, ROLLUP_SHARDS, unpart, type Period, type RollupScope } from '#lib/store/keys.ts';

/**
 * Reads of rollup items. One Query per page, scope, period type and rollup
 * shard returns every item between two period keys: a 30-day report reads
 * about 30 day items per page, a year about 12 month items. Shards other
 * than 0 hold only a hot page's storm deltas (lib/store/ingest-store.ts);
 * their items are summed into the shard-0 item of the same period.
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

/** Rollup items of one page, scope and period type with `fromKey <= periodKey <= toKey`, shards summed. */
export async function getRollups(
  shopId: string,
  pageId: string,
  scope: RollupScope,
  period: Period,
  fromKey: string,
  toKey: string,
  stats?: ReadStats,
): Promise<RollupItem[]> {
  const byKey = new Map<string, RollupItem>();
  for (const shard of await readShards(shopId, pageId, scope, period, fromKey, toKey, stats)) {
    for (const it of shard) {
      const r = toRollup(pageId, it);
      const k = String(it.SK);
      const cur = byKey.get(k);
      if (!cur) {
        byKey.set(k, r);
        continue;
      }
      for (const [f, v] of Object.entries(r.fields)) cur.fields[f] = (cur.fields[f] ?? 0) + v;
      Object.assign(cur.attrs, r.attrs);
    }
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/** The raw items of every shard, one list per shard (index = shard). */
async function readShards(
  shopId: string,
  pageId: string,
  scope: RollupScope,
  period: Period,
  fromKey: string,
  toKey: string,
  stats?: ReadStats,
): Promise<Array<Array<Record<string, unknown>>>> {
  const prefix = keys.rollupSortPrefix(scope, period);
  return Promise.all(
    Array.from({ length: ROLLUP_SHARDS }, (_, shard) =>
      queryAll(
        {
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :a AND :b',
          ExpressionAttributeValues: { ':pk': keys.rollupPartition(shopId, pageId, shard), ':a': `${prefix}${fromKey}`, ':b': `${prefix}${toKey}#\uffff` },
          ReturnConsumedCapacity: 'TOTAL',
        },
        (n, cu) => {
          if (!stats) return;
          stats.queries++;
          stats.items += n;
          stats.capacityUnits += cu;
        },
      ),
    ),
  );
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
 * items not in `computed` are deleted, the others overwritten whole, and
 * every shard's items of those periods are folded into shard 0.
 */
export async function replaceRollups(
  shopId: string,
  pageId: string,
  periodKeys: Array<{ period: Period; key: string }>,
  computed: Map<string, { scope: RollupScope; period: Period; periodKey: string; entity?: string; fields: Map<string, number>; attrs?: Record<string, string> }>,
): Promise<{ written: number; deleted: number }> {
  // every stored item of those periods, in every shard
  const existing: Array<{ PK: string; SK: string }> = [];
  for (const scope of ['P', 'S', 'A'] as RollupScope[]) {
    for (const { period, key } of periodKeys) {
      for (const shard of await readShards(shopId, pageId, scope, period, key, key)) {
        for (const it of shard) existing.push({ PK: String(it.PK), SK: String(it.SK) });
      }
    }
  }
  const keep = new Set<string>();
  const writes: WriteRequest[] = [];
  for (const r of computed.values()) {
    const k = keys.rollup(shopId, pageId, r.scope, r.period, r.periodKey, r.entity);
    keep.add(`${k.PK}\u0000${k.SK}`);
    writes.push({ PutRequest: { Item: { ...k, ...r.attrs, ...Object.fromEntries(r.fields) } } });
  }
  for (const e of existing) {
    if (!keep.has(`${e.PK}\u0000${e.SK}`)) writes.push({ DeleteRequest: { Key: e } });
  }
  await batchWrite(writes);
  return { written: computed.size, deleted: writes.length - computed.size };
}
