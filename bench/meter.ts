import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '#lib/store/table.ts';

/**
 * A write-unit meter that counts what DynamoDB bills, for benchmarks.
 * DynamoDB Local does not report transactional or index capacity faithfully,
 * so units are computed from the items themselves, read back before and after
 * each write (the reads are the meter's own and not counted), by the
 * published rules:
 *
 * - an item's size is the sum of its attribute names and values;
 * - a write is charged on the larger of the item before and after it
 *   (PutItem over an existing item, UpdateItem), a delete on the item deleted;
 * - a standard write costs ⌈size / 1 KB⌉ units, each item of a BatchWriteItem
 *   on its own; a transactional write twice that, and a ConditionCheck inside
 *   a transaction is charged like a transactional write of the item checked;
 * - GSI replication, per index (GSI1 projects ALL; the open-waits index its
 *   keys and OPEN_WAIT_INDEX_ATTRIBUTES): an entry entering the index costs
 *   ⌈entry size after / 1 KB⌉, leaving it ⌈size before / 1 KB⌉, a change of its
 *   index key both, a change of what it projects ⌈larger / 1 KB⌉, any other
 *   change of the item nothing; standard (not transactional) units.
 *
 * Approximate, and said so in bench/RESULTS.md: the before/after images are
 * read around the request, so a concurrent writer in between can shift a
 * figure by an item; a cancelled transaction is counted (as `cancelledWru`)
 * as if every item had been written, an upper bound on what its prepare phase
 * costs; numbers are sized by their decimal digits as DynamoDB documents
 * (≈ 1 byte per 2 digits + 1).
 */
export function attributeSize(v: unknown): number {
  if (v === null || v === undefined) return 1;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (typeof v === 'number') {
    const digits = String(Math.abs(v)).replace(/[.\-e+]/g, '').replace(/^0+/, '').length || 1;
    return Math.ceil(digits / 2) + 1;
  }
  if (typeof v === 'boolean') return 1;
  if (v instanceof Uint8Array) return v.byteLength;
  if (Array.isArray(v)) return 3 + v.reduce((a: number, x) => a + 1 + attributeSize(x), 0);
  if (v instanceof Set) return [...v].reduce((a: number, x) => a + attributeSize(x), 0);
  if (typeof v === 'object') return 3 + Object.entries(v as Record<string, unknown>).reduce((a, [k, x]) => a + 1 + Buffer.byteLength(k) + attributeSize(x), 0);
  return 8;
}

export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((a, [k, v]) => a + Buffer.byteLength(k) + attributeSize(v), 0);
}

const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

export type WriteMeter = {
  /** every unit, table and index, committed and cancelled */
  wru: number;
  /** of which GSI replication */
  gsiWru: number;
  /** of which transactions that were cancelled (conflicts, failed conditions) */
  cancelledWru: number;
  requests: number;
  transactions: number;
  cancelledTransactions: number;
  itemsWritten: number;
  /** committed units by where they land: page rollups, raw event chunks, state and link items, the open-waits index */
  byKind: { rollup: number; raw: number; state: number; gsi: number };
  reset: () => void;
};

const kindOf = (key: Item): 'rollup' | 'raw' | 'state' => {
  const pk = String(key[TABLE.partitionKey]);
  return pk.includes('#ROLLUP#') ? 'rollup' : pk.includes('#RAW#') ? 'raw' : 'state';
};

type Item = Record<string, unknown>;
type Op = { kind: 'put' | 'update' | 'delete' | 'check'; key: Item; item?: Item; tx: boolean };

function opsOf(name: string, input: Record<string, unknown>, table: string): Op[] {
  const keyOf = (item: Item): Item => ({ [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] });
  if (name.startsWith('TransactWrite')) {
    const out: Op[] = [];
    for (const t of (input.TransactItems as Array<Record<string, { Key?: Item; Item?: Item }>>) ?? []) {
      if (t.Put?.Item) out.push({ kind: 'put', key: keyOf(t.Put.Item), item: t.Put.Item, tx: true });
      else if (t.Update?.Key) out.push({ kind: 'update', key: t.Update.Key, tx: true });
      else if (t.Delete?.Key) out.push({ kind: 'delete', key: t.Delete.Key, tx: true });
      else if (t.ConditionCheck?.Key) out.push({ kind: 'check', key: t.ConditionCheck.Key, tx: true });
    }
    return out;
  }
  if (name === 'PutCommand' || name === 'PutItemCommand') return [{ kind: 'put', key: keyOf(input.Item as Item), item: input.Item as Item, tx: false }];
  if (name === 'UpdateCommand' || name === 'UpdateItemCommand') return [{ kind: 'update', key: input.Key as Item, tx: false }];
  if (name === 'DeleteCommand' || name === 'DeleteItemCommand') return [{ kind: 'delete', key: input.Key as Item, tx: false }];
  if (name === 'BatchWriteCommand' || name === 'BatchWriteItemCommand') {
    const reqs = ((input.RequestItems as Record<string, Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>>) ?? {})[table] ?? [];
    return reqs.map((r) =>
      r.PutRequest ? { kind: 'put' as const, key: keyOf(r.PutRequest.Item), item: r.PutRequest.Item, tx: false } : { kind: 'delete' as const, key: r.DeleteRequest!.Key, tx: false },
    );
  }
  return [];
}

/** The table's GSIs as the meter sees them: key attributes and what each projects (ALL, or the listed attributes). */
const INDEXES = [
  { pk: TABLE.gsi1.partitionKey, sk: TABLE.gsi1.sortKey, projects: 'ALL' as const },
  { pk: TABLE.openWaits.partitionKey, sk: TABLE.openWaits.sortKey, projects: [...TABLE.openWaits.attributes] as string[] },
];
type Index = (typeof INDEXES)[number];

/** The index entry of an item (undefined when the item is not in the index): all of it, or its keys and the projected attributes. */
function entryOf(ix: Index, it: Item | undefined): Item | undefined {
  if (it === undefined || it[ix.pk] === undefined || it[ix.sk] === undefined) return undefined;
  if (ix.projects === 'ALL') return it;
  const keep = new Set([TABLE.partitionKey, TABLE.sortKey, ix.pk, ix.sk, ...ix.projects]);
  return Object.fromEntries(Object.entries(it).filter(([k]) => keep.has(k)));
}

/** Units of one index for one item write: entering, leaving, a key change (both), or a change of what it projects. */
function indexUnits(ix: Index, before: Item | undefined, after: Item | undefined): number {
  const b = entryOf(ix, before);
  const a = entryOf(ix, after);
  if (!b && !a) return 0;
  if (b && !a) return kb(itemSize(b));
  if (!b && a) return kb(itemSize(a));
  const sameKey = b![ix.pk] === a![ix.pk] && b![ix.sk] === a![ix.sk];
  if (!sameKey) return kb(itemSize(b!)) + kb(itemSize(a!));
  return JSON.stringify(b) === JSON.stringify(a) ? 0 : kb(Math.max(itemSize(b!), itemSize(a!)));
}

/** GSI units of one item write, from its images before and after, over every index of the table. */
export function gsiUnits(before: Item | undefined, after: Item | undefined): number {
  return INDEXES.reduce((sum, ix) => sum + indexUnits(ix, before, after), 0);
}

/** Table units of one item write, from its images before and after (and the item a put intended). */
export function tableUnits(op: Op, before: Item | undefined, after: Item | undefined): number {
  const size =
    op.kind === 'delete' || op.kind === 'check'
      ? itemSize(before ?? op.key)
      : Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : op.item ? itemSize(op.item) : 0);
  return (op.tx ? 2 : 1) * kb(size);
}

/** Counts write request units and requests on a document client (benchmark only). */
export function meterWrites(doc: DynamoDBDocumentClient, table: string): WriteMeter {
  const meter: WriteMeter = {
    wru: 0,
    gsiWru: 0,
    cancelledWru: 0,
    requests: 0,
    transactions: 0,
    cancelledTransactions: 0,
    itemsWritten: 0,
    byKind: { rollup: 0, raw: 0, state: 0, gsi: 0 },
    reset() {
      Object.assign(meter, { wru: 0, gsiWru: 0, cancelledWru: 0, requests: 0, transactions: 0, cancelledTransactions: 0, itemsWritten: 0, byKind: { rollup: 0, raw: 0, state: 0, gsi: 0 } });
    },
  };
  const read = async (keys: Item[]): Promise<Map<string, Item>> => {
    const out = new Map<string, Item>();
    const unique = [...new Map(keys.map((k) => [JSON.stringify(k), k])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      const res = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: unique.slice(i, i + 100), ConsistentRead: true } } }));
      for (const it of res.Responses?.[table] ?? []) out.set(JSON.stringify({ [TABLE.partitionKey]: it[TABLE.partitionKey], [TABLE.sortKey]: it[TABLE.sortKey] }), it);
    }
    return out;
  };
  const id = (k: Item) => JSON.stringify({ [TABLE.partitionKey]: k[TABLE.partitionKey], [TABLE.sortKey]: k[TABLE.sortKey] });
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      const ops = opsOf(name, (args as { input: Record<string, unknown> }).input, table);
      if (ops.length === 0) return next(args);
      const before = await read(ops.map((o) => o.key));
      let failed: unknown;
      let out;
      try {
        out = await next(args);
      } catch (err) {
        failed = err;
      }
      const cancelled = failed !== undefined && (failed as { name?: string }).name?.startsWith('Transaction') === true;
      const after = failed ? new Map<string, Item>() : await read(ops.filter((o) => o.kind !== 'delete' && o.kind !== 'check').map((o) => o.key));
      if (!failed || cancelled) {
        meter.requests++;
        if (name.startsWith('TransactWrite')) meter.transactions++;
        if (cancelled) meter.cancelledTransactions++;
        for (const o of ops) {
          const b = before.get(id(o.key));
          const a = o.kind === 'delete' ? undefined : o.kind === 'check' ? b : cancelled ? (o.item ?? b) : after.get(id(o.key));
          const t = tableUnits(o, b, a);
          const g = o.kind === 'check' ? 0 : gsiUnits(b, a);
          meter.wru += t + g;
          meter.gsiWru += g;
          if (cancelled) meter.cancelledWru += t + g;
          else {
            meter.byKind[kindOf(o.key)] += t;
            meter.byKind.gsi += g;
          }
          if (o.kind !== 'check') meter.itemsWritten++;
        }
      }
      if (failed) throw failed;
      return out!;
    },
    { step: 'initialize', name: 'writeMeter' },
  );
  return meter;
}
