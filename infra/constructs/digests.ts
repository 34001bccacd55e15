import { Duration, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ChatpulseFunction } from './chatpulse-function.ts';
import { queueWithDlq } from './queues.ts';
import { grantTableAccess, TABLE_ACCESS } from '../least-privilege.ts';

export type DigestsProps = {
  table: Table;
  /** holds UNSUBSCRIBE_SIGNING_KEY: the dispatcher signs each job's unsubscribe link */
  unsubscribeSecret: ISecret;
  /** holds REPORT_LINK_KEY: the dispatcher signs each job's link to the full report of its period */
  linksSecret: ISecret;
  /** From address of the digests; `name@domain` gets an email identity, a bare domain a domain identity */
  senderEmail: string;
  env: Record<string, string>;
};

/**
 * Digests: one hourly schedule (the dispatcher decides per shop whether its
 * local digest hour has come, so one schedule serves every time zone), a job
 * queue with its dead-letter queue, the sender, and the SES identity.
 */
export class Digests extends Construct {
  readonly queue: Queue;
  readonly dlq: Queue;
  readonly dispatch: ChatpulseFunction;
  readonly send: ChatpulseFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: DigestsProps) {
    super(scope, id);
    const sendTimeout = Duration.seconds(60);
    // Visibility timeout six times the consumer's timeout (AWS's advice for Lambda event sources).
    ({ queue: this.queue, dlq: this.dlq } = queueWithDlq(this, 'DigestQueue', { fifo: false, visibilityTimeout: Duration.seconds(sendTimeout.toSeconds() * 6) }));

    const senderDomain = props.senderEmail.includes('@') ? props.senderEmail.split('@')[1]! : props.senderEmail;
    const identity = new EmailIdentity(this, 'Sender', {
      identity: props.senderEmail.includes('@') ? Identity.email(props.senderEmail) : Identity.domain(senderDomain),
    });

    // Dispatcher: lists shops (Query) and reads each shop (GetItem), queues the due jobs with their links signed
    // (UNSUBSCRIBE_SIGNING_KEY, REPORT_LINK_KEY), so the sender holds no secret.
    this.dispatch = new ChatpulseFunction(this, 'Dispatch', {
      name: 'digest-dispatch',
      environment: {
        ...props.env,
        DIGEST_QUEUE_URL: this.queue.queueUrl,
        SECRET_ARNS: `${props.unsubscribeSecret.secretName},${props.linksSecret.secretName}`,
      },
      timeout: Duration.seconds(60),
    });
    grantTableAccess(props.table, this.dispatch, TABLE_ACCESS['digest-dispatch']);
    this.queue.grantSendMessages(this.dispatch);
    props.unsubscribeSecret.grantRead(this.dispatch);
    props.linksSecret.grantRead(this.dispatch);
    this.schedule = new Schedule(this, 'Hourly', {
      schedule: ScheduleExpression.cron({ minute: '0' }),
      // A repeated run is harmless (the ledger sends each digest once); a run older than an hour is superseded by the next.
      target: new LambdaInvoke(this.dispatch, { retryAttempts: 2, maxEventAge: Duration.hours(1) }),
      description: 'chatpulse: queue the digests whose local hour has come',
    });

    // Sender: claims a ledger item (conditional PutItem/UpdateItem), reads the report, mails it with SES.
    // No secret: the links it sends come signed in the job.
    this.send = new ChatpulseFunction(this, 'Send', {
      name: 'digest-send',
      environment: {
        ...props.env,
        SES_FROM: props.senderEmail,
        // permanent SES refusals and invalid jobs go straight to the dead-letter queue with their reason
        DIGEST_DLQ_URL: this.dlq.queueUrl,
      },
      timeout: sendTimeout,
      memorySize: 1024,
    });
    // its only writes are ledger items (DIGEST#…)
    grantTableAccess(props.table, this.send, TABLE_ACCESS['digest-send']);
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
