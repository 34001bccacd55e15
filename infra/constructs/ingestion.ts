import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ChatpulseFunction } from './chatpulse-function.ts';
import { queueWithDlq } from './queues.ts';
import { grantWritesUnder } from './table-grants.ts';

/**
 * The FIFO ingest queue (MessageGroupId = pageId, explicit deduplication ids
 * from the producers, so content-based deduplication is off), its FIFO
 * dead-letter queue, and the worker that applies each batch exactly once.
 */
export class Ingestion extends Construct {
  readonly queue: Queue;
  readonly dlq: Queue;
  readonly fn: ChatpulseFunction;

  constructor(scope: Construct, id: string, props: { table: Table; env: Record<string, string> }) {
    super(scope, id);
    const timeout = Duration.seconds(30);
    // Visibility timeout six times the worker's timeout (AWS's advice for Lambda event sources).
    ({ queue: this.queue, dlq: this.dlq } = queueWithDlq(this, 'IngestQueue', { fifo: true, visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6) }));
    this.fn = new ChatpulseFunction(this, 'Ingest', { name: 'ingest', environment: props.env, timeout, memorySize: 1024 });
    // Reads: shops, page states, owners (GetItem/BatchGetItem/Query). Writes: one TransactWriteItems per
    // group of units, authorised per item as conditional PutItem, UpdateItem (rollup ADDs) and
    // ConditionCheckItem; comment → author links with BatchWriteItem (lib/store/comment-links.ts).
    // Every item ingest writes lives under a shop (`SHOP#…`): it cannot write API keys, page
    // ownership, the shop directory or the digest ledger.
    props.table.grant(this.fn, 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query');
    grantWritesUnder(props.table, this.fn, ['PutItem', 'UpdateItem', 'ConditionCheckItem', 'BatchWriteItem'], ['SHOP#']);
    this.fn.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
  }
}
