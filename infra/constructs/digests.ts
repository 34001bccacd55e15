import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ChatpulseFunction } from './chatpulse-function.ts';
import { queueWithDlq } from './queues.ts';

/**
 * Digests: one hourly schedule (the dispatcher decides, per shop, whether its
 * local digest hour has come, so no schedule per time zone is needed), a job
 * queue with its dead-letter queue, the sender, and the SES identity.
 */
export class Digests extends Construct {
  readonly queue: Queue;
  readonly dlq: Queue;
  readonly dispatch: ChatpulseFunction;
  readonly send: ChatpulseFunction;

  constructor(scope: Construct, id: string, props: { table: Table; secret: ISecret; senderEmail: string; env: Record<string, string> }) {
    super(scope, id);
    const timeout = Duration.seconds(60);
    ({ queue: this.queue, dlq: this.dlq } = queueWithDlq(this, 'DigestQueue', { fifo: false, visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6) }));
    const identity = new EmailIdentity(this, 'Sender', { identity: Identity.email(props.senderEmail) });

    this.dispatch = new ChatpulseFunction(this, 'Dispatch', { name: 'digest-dispatch', environment: { ...props.env, DIGEST_QUEUE_URL: this.queue.queueUrl }, timeout });
    props.table.grant(this.dispatch, 'dynamodb:GetItem', 'dynamodb:Query');
    this.queue.grantSendMessages(this.dispatch);
    new Schedule(this, 'Hourly', {
      schedule: ScheduleExpression.cron({ minute: '0' }),
      target: new LambdaInvoke(this.dispatch, {}),
      description: 'chatpulse: queue the digests whose local hour has come',
    });

    this.send = new ChatpulseFunction(this, 'Send', {
      name: 'digest-send',
      environment: { ...props.env, SES_FROM: props.senderEmail, DIGEST_DLQ_URL: this.dlq.queueUrl, SECRET_ARN: props.secret.secretName },
      timeout,
      memorySize: 1024,
    });
    props.table.grant(this.send, 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    props.secret.grantRead(this.send);
    this.dlq.grantSendMessages(this.send);
    this.send.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: identity.emailIdentityName })],
      }),
    );
    this.send.addEventSource(new SqsEventSource(this.queue, { batchSize: 5, reportBatchItemFailures: true }));
  }
}
