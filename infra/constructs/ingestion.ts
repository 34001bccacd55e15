import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ChatpulseFunction } from './chatpulse-function.ts';
import { queueWithDlq } from './queues.ts';

/** The FIFO ingest queue (grouped by page; orders by shop) and the worker that applies events exactly once. */
export class Ingestion extends Construct {
  readonly queue: Queue;
  readonly dlq: Queue;
  readonly fn: ChatpulseFunction;

  constructor(scope: Construct, id: string, props: { table: Table; env: Record<string, string> }) {
    super(scope, id);
    const timeout = Duration.seconds(30);
    ({ queue: this.queue, dlq: this.dlq } = queueWithDlq(this, 'IngestQueue', { fifo: true, visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6) }));
    this.fn = new ChatpulseFunction(this, 'Ingest', { name: 'ingest', environment: props.env, timeout, memorySize: 1024 });
    props.table.grant(this.fn, 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem');
    this.fn.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
  }
}
