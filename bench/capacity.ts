import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Write-unit accounting for benchmarks. DynamoDB Local does not report
 * transactional capacity faithfully, so units are computed from the items
 * written, by DynamoDB's published rules: an item's size is the sum of its
 * attribute names and values; a standard write costs ceil(size / 1 KB) units,
 * a transactional write twice that; an update is charged on the item as it
 * is after the write.
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

export type WriteMeter = { wru: number; requests: number; transactions: number; itemsWritten: number; reset: () => void };

/**
 * Counts write request units and requests on a document client by reading
 * back every item a TransactWriteItems touched (benchmark only: the reads are
 * not counted).
 */
export function meterWrites(doc: DynamoDBDocumentClient, table: string): WriteMeter {
  const meter: WriteMeter = {
    wru: 0,
    requests: 0,
    transactions: 0,
    itemsWritten: 0,
    reset() {
      meter.wru = 0;
      meter.requests = 0;
      meter.transactions = 0;
      meter.itemsWritten = 0;
    },
  };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const name = String(context.commandName);
      const input = (args as { input: Record<string, unknown> }).input;
      if (name.startsWith('TransactWrite')) {
        meter.requests++;
        meter.transactions++;
        const items = (input.TransactItems as Array<Record<string, { Key?: Record<string, unknown>; Item?: Record<string, unknown> }>>) ?? [];
        const keysToRead: Array<Record<string, unknown>> = [];
        for (const t of items) {
          if (t.Put?.Item) meter.wru += 2 * Math.max(1, Math.ceil(itemSize(unmarshallLoose(t.Put.Item)) / 1024));
          else if (t.Update?.Key) keysToRead.push(unmarshallLoose(t.Update.Key));
          else if (t.Delete) meter.wru += 2;
          meter.itemsWritten += t.ConditionCheck ? 0 : 1;
        }
        for (let i = 0; i < keysToRead.length; i += 100) {
          const res = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keysToRead.slice(i, i + 100) } } }));
          for (const it of res.Responses?.[table] ?? []) meter.wru += 2 * Math.max(1, Math.ceil(itemSize(it) / 1024));
        }
      } else if (name === 'PutItemCommand' || name === 'UpdateItemCommand' || name === 'DeleteItemCommand' || name === 'BatchWriteItemCommand') {
        meter.requests++;
        meter.wru += 1;
        meter.itemsWritten += 1;
      }
      return out;
    },
    { step: 'initialize', name: 'writeMeter' },
  );
  return meter;
}

/** Accepts both marshalled ({S: …}) and plain values, as the two clients pass them at this step. */
function unmarshallLoose(item: Record<string, unknown>): Record<string, unknown> {
  return item;
}
