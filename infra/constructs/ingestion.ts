import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INGEST_BATCHING, ingestVisibilityTimeoutSeconds } from '#lib/queue/ingest-batching.ts';
import { ChatpulseFunction } from './chatpulse-function.ts';
import { queueWithDlq } from './queues.ts';
import { grantTableAccess, TABLE_ACCESS } from '../least-privilege.ts';

/**
 * The standard ingest queue (no per-queue send ceiling, batches of up to 100
 * messages gathered for up to the batching window), its dead-letter queue,
 * and the worker that applies each batch exactly once. Order and
 * deduplication are not needed: figures are derived from state items, so a
 * repeated or reordered event changes nothing (bench/RESULTS.md, "Queue design").
 */
export class Ingestion extends Construct {
  readonly queue: Queue;
  readonly dlq: Queue;
  readonly fn: ChatpulseFunction;

  constructor(scope: Construct, id: string, props: { table: Table; env: Record<string, string> }) {
    super(scope, id);
    const timeout = Duration.seconds(INGEST_BATCHING.timeoutSeconds);
    ({ queue: this.queue, dlq: this.dlq } = queueWithDlq(this, 'IngestQueue', {
      fifo: false,
      visibilityTimeout: Duration.seconds(ingestVisibilityTimeoutSeconds()),
      maxReceiveCount: INGEST_BATCHING.maxReceiveCount,
    }));
    this.fn = new ChatpulseFunction(this, 'Ingest', { name: 'ingest', environment: props.env, timeout, memorySize: 1024 });
    // Reads: shops, page states, owners (GetItem/BatchGetItem/Query). Writes: one TransactWriteItems per
    // group of units, authorised per item as conditional PutItem, UpdateItem (rollup ADDs) and
    // ConditionCheckItem; the comment → author and phone → conversation rendezvous items with single
    // UpdateItems (lib/store/comment-links.ts, lib/store/phone-links.ts).
    // Every item ingest writes lives under a shop (`SHOP#…`): it cannot write API keys, page
    // ownership, the shop directory or the digest ledger.
    grantTableAccess(props.table, this.fn, TABLE_ACCESS.ingest);
    this.fn.live.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: INGEST_BATCHING.batchSize,
        maxBatchingWindow: Duration.seconds(INGEST_BATCHING.maxBatchingWindowSeconds),
        maxConcurrency: INGEST_BATCHING.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}
