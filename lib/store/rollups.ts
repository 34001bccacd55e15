import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
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
  const out: RollupItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':pk': keys.rollupPartition(shopId, pageId), ':a': `${prefix}${fromKey}`, ':b': `${prefix}${toKey}#\uffff` },
        ExclusiveStartKey: start,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    if (stats) {
      stats.queries++;
      stats.items += res.Items?.length ?? 0;
      stats.capacityUnits += res.ConsumedCapacity?.CapacityUnits ?? 0;
    }
    for (const it of res.Items ?? []) out.push(toRollup(pageId, it));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
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
