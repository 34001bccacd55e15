import { Duration, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ChatpulseFunction } from './chatpulse-function.ts';
import { queueWithDlq } from './queues.ts';
import { grantTableAccess, TABLE_ACCESS } from '../least-privilege.ts';

export type AlertsProps = {
  table: Table;
  /** From address of alert emails: the digests' sender, whose SES identity the Digests construct creates */
  senderEmail: string;
  /** The digests' SES configuration set: alert emails go through it, so bounces and complaints reach the feedback function */
  configurationSetName: string;
  env: Record<string, string>;
};

/**
 * SLA alerts (SPEC §4.4, lib/alerts/): a standard queue carrying wait timers
 * (delayed messages, re-enqueued past SQS's 15-minute delay), group flushes
 * and delivery retries; its dead-letter queue (a message that failed five
 * receives, and webhook deliveries given up after five attempts); and the
 * worker. Ingest is granted sending to the queue (`grantScheduling`); the
 * stack alarms on the dead-letter queue's depth with the others.
 */
export class Alerts extends Construct {
  readonly queue: Queue;
  readonly dlq: Queue;
  readonly fn: ChatpulseFunction;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    const timeout = Duration.seconds(60);
    ({ queue: this.queue, dlq: this.dlq } = queueWithDlq(this, 'AlertQueue', { fifo: false, visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6) }));
    this.fn = new ChatpulseFunction(this, 'Worker', {
      name: 'alerts',
      environment: { ...props.env, ALERT_QUEUE_URL: this.queue.queueUrl, ALERT_DLQ_URL: this.dlq.queueUrl, SES_FROM: props.senderEmail, SES_CONFIGURATION_SET: props.configurationSetName },
      timeout,
      memorySize: 512,
    });
    // Reads: shops, conversations (is the wait still open?), alert groups. Writes: only alert markers and groups (ALERT#…).
    grantTableAccess(props.table, this.fn, TABLE_ACCESS.alerts);
    // it re-enqueues timers and retries, and dead-letters deliveries it gives up
    this.queue.grantSendMessages(this.fn);
    this.dlq.grantSendMessages(this.fn);
    // the identity the Digests construct creates: the address itself, or its domain when given a bare domain
    const senderIdentity = props.senderEmail;
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: senderIdentity }),
          Stack.of(this).formatArn({ service: 'ses', resource: 'configuration-set', resourceName: props.configurationSetName }),
        ],
      }),
    );
    // timers fire when due; small batches keep a slow webhook from holding many others
    this.fn.live.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
  }

  /** Lets a function queue wait timers (ingest): the queue's URL and sending to it. */
  grantScheduling(fn: IFunction & { addEnvironment(k: string, v: string): unknown }): void {
    fn.addEnvironment('ALERT_QUEUE_URL', this.queue.queueUrl);
    this.queue.grantSendMessages(fn);
  }
}
