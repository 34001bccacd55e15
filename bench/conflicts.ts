import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../scripts/local/dynamodb-local.ts';
import { meterWrites } from './meter.ts';
import { commentStorm } from './ingest.ts';
import { setDb } from '#lib/store/client.ts';
import { resetConfig } from '#lib/config.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { shopInputSchema } from '#lib/shops/schema.ts';

/**
 * A livestream storm on one page applied by `concurrency` workers at once,
 * each taking the next batch of `batch` events (as the SQS pollers hand them
 * out), through the real ingest use case against DynamoDB Local. Counts the
 * transactions DynamoDB cancelled (conflicts on the page's shared rollup items
 * or a viewer's state item), the write units, and checks the figures.
 */
export type ConflictFigures = {
  concurrency: number;
  events: number;
  batch: number;
  transactions: number;
  cancelled: number;
  conflictsPerEvent: number;
  /** transactions (committed) per batch: rollup items shared by every transaction of the page */
  txPerBatch: number;
  wruPerEvent: number;
  /** committed write units per event by where they land (rollup partitions, raw chunks, state items, open-waits index) */
  rollupWruPerEvent: number;
  rawWruPerEvent: number;
  stateWruPerEvent: number;
  gsiWruPerEvent: number;
  /** units of cancelled transactions per event */
  cancelledWruPerEvent: number;
  eventsPerSecond: number;
  /** mean TransactWriteItems latency measured here (DynamoDB Local) */
  txMs: number;
  exact: boolean;
};

export async function measureConflicts(endpoint: string, concurrency: number, n: number, batch = 100): Promise<ConflictFigures> {
  process.env.TABLE_NAME = `bench-c-${randomUUID().slice(0, 8)}`;
  process.env.DYNAMODB_ENDPOINT = endpoint;
  resetConfig();
  await ensureTable(endpoint, process.env.TABLE_NAME);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const meter = meterWrites(doc, process.env.TABLE_NAME);
  // time every TransactWriteItems and count the units that land on rollup items
  let txMs = 0;
  let txCount = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (!String(context.commandName).startsWith('TransactWrite')) return next(args);
      const t0 = performance.now();
      try {
        return await next(args);
      } finally {
        txMs += performance.now() - t0;
        txCount++;
      }
    },
    { step: 'finalizeRequest', name: 'txTimer' },
  );
  setDb(doc);
  const shopId = `storm-${concurrency}`;
  const pageId = `${shopId}-live`;
  await putShop({ ...shopInputSchema.parse({ name: 'Storm', pages: [{ pageId, channel: 'facebook', name: 'Live' }] }), shopId, updatedAt: new Date().toISOString() });
  const events = commentStorm(pageId, n);
  const batches: Array<typeof events> = [];
  for (let i = 0; i < events.length; i += batch) batches.push(events.slice(i, i + batch));
  meter.reset();
  const now = Date.parse('2026-11-21T12:00:00+07:00');
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const b = batches[next++]!;
        await recordBatch(shopId, b, { now });
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const [day] = await getRollups(shopId, pageId, 'P', 'D', '2026-11-20', '2026-11-20');
  const viewers = new Set(events.map((e) => (e as { customerId: string }).customerId)).size;
  const exact = day?.fields.commentsReceived === n && day.fields.customersReached === viewers;
  const committed = meter.transactions - meter.cancelledTransactions;
  const figures: ConflictFigures = {
    concurrency,
    events: n,
    batch,
    transactions: meter.transactions,
    cancelled: meter.cancelledTransactions,
    conflictsPerEvent: meter.cancelledTransactions / n,
    txPerBatch: committed / batches.length,
    wruPerEvent: meter.wru / n,
    rollupWruPerEvent: meter.byKind.rollup / n,
    rawWruPerEvent: meter.byKind.raw / n,
    stateWruPerEvent: meter.byKind.state / n,
    gsiWruPerEvent: meter.byKind.gsi / n,
    cancelledWruPerEvent: meter.cancelledWru / n,
    eventsPerSecond: n / seconds,
    txMs: txMs / Math.max(1, txCount),
    exact,
  };
  setDb(undefined);
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { startDynamoLocal } = await import('../scripts/local/dynamodb-local.ts');
  process.env.LOG_LEVEL = 'silent';
  const d = await startDynamoLocal();
  try {
    for (const c of [1, 4, 16]) console.log(await measureConflicts(d.endpoint, c, Number(process.env.N ?? 1000)));
  } finally {
    await d.stop();
  }
}
