import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigurationSet, EmailIdentity, EmailSendingEvent, EventDestination, Identity } from 'aws-cdk-lib/aws-ses';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ChatpulseFunction } from './chatpulse-function.ts';
import { asyncDeadLetterQueue, queueWithDlq } from './queues.ts';
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
 * Digests: one hourly schedule (the dispatcher queues, per shop, every digest
 * due in the last 24 hours and not yet sent, so one schedule serves every
 * time zone and a missed run is made up by the next), a job queue with its
 * dead-letter queue, the sender, the SES identity and configuration set, and
 * the feedback handler that suppresses bounced and complaining addresses.
 */
export class Digests extends Construct {
  readonly queue: Queue;
  readonly dlq: Queue;
  readonly dispatch: ChatpulseFunction;
  readonly send: ChatpulseFunction;
  readonly schedule: Schedule;
  /** failed schedule deliveries and failed asynchronous dispatch runs */
  readonly dispatchDlq: Queue;
  readonly feedback: ChatpulseFunction;
  /** failed asynchronous feedback invocations and undeliverable rule events */
  readonly feedbackDlq: Queue;
  readonly configurationSet: ConfigurationSet;

  constructor(scope: Construct, id: string, props: DigestsProps) {
    super(scope, id);
    const sendTimeout = Duration.seconds(60);
    // Visibility timeout six times the consumer's timeout (AWS's advice for Lambda event sources).
    ({ queue: this.queue, dlq: this.dlq } = queueWithDlq(this, 'DigestQueue', { fifo: false, visibilityTimeout: Duration.seconds(sendTimeout.toSeconds() * 6) }));

    const senderDomain = props.senderEmail.includes('@') ? props.senderEmail.split('@')[1]! : props.senderEmail;
    // bounce and complaint events of every digest go to the default event bus (rule below); reputation
    // metrics per configuration set feed the bounce and complaint rate alarms
    this.configurationSet = new ConfigurationSet(this, 'Digests', { reputationMetrics: true, sendingEnabled: true });
    this.configurationSet.addEventDestination('Feedback', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    const identity = new EmailIdentity(this, 'Sender', {
      identity: props.senderEmail.includes('@') ? Identity.email(props.senderEmail) : Identity.domain(senderDomain),
      configurationSet: this.configurationSet,
    });
    this.dispatchDlq = asyncDeadLetterQueue(this, 'DispatchDlq');
    this.feedbackDlq = asyncDeadLetterQueue(this, 'FeedbackDlq');

    // Dispatcher: lists shops (Query) and reads each shop (GetItem), the due digests' ledger items (BatchGetItem)
    // and the shop's suppressions (Query), marks each digest it queues `queued` (UpdateItem on DIGEST# only), queues
    // the jobs with their links signed (UNSUBSCRIBE_SIGNING_KEY, REPORT_LINK_KEY), so the sender holds no secret.
    this.dispatch = new ChatpulseFunction(this, 'Dispatch', {
      name: 'digest-dispatch',
      environment: {
        ...props.env,
        DIGEST_QUEUE_URL: this.queue.queueUrl,
        SECRET_ARNS: `${props.unsubscribeSecret.secretName},${props.linksSecret.secretName}`,
      },
      timeout: Duration.seconds(60),
      deadLetterQueue: this.dispatchDlq,
    });
    grantTableAccess(props.table, this.dispatch, TABLE_ACCESS['digest-dispatch']);
    this.queue.grantSendMessages(this.dispatch);
    props.unsubscribeSecret.grantRead(this.dispatch);
    props.linksSecret.grantRead(this.dispatch);
    this.schedule = new Schedule(this, 'Hourly', {
      schedule: ScheduleExpression.cron({ minute: '0' }),
      // A repeated run is harmless (the ledger sends each digest once); a run older than an hour is superseded by
      // the next, which catches up on what this one missed. Deliveries that fail every retry land in the DLQ.
      target: new LambdaInvoke(this.dispatch.live, { retryAttempts: 2, maxEventAge: Duration.hours(1), deadLetterQueue: this.dispatchDlq }),
      description: 'chatpulse: queue the digests due and not yet sent',
    });

    // Sender: claims a ledger item (conditional PutItem/UpdateItem), reads the report, mails it with SES.
    // No secret: the links it sends come signed in the job.
    this.send = new ChatpulseFunction(this, 'Send', {
      name: 'digest-send',
      environment: {
        ...props.env,
        SES_FROM: props.senderEmail,
        SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
        // permanent SES refusals and invalid jobs go straight to the dead-letter queue with their reason
        DIGEST_DLQ_URL: this.dlq.queueUrl,
      },
      timeout: sendTimeout,
      memorySize: 1024,
    });
    // reads: the shop, the reports, its ledger item and the recipient's suppression; its only writes are ledger items (DIGEST#…)
    grantTableAccess(props.table, this.send, TABLE_ACCESS['digest-send']);
    this.dlq.grantSendMessages(this.send);
    this.send.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: identity.emailIdentityName }),
          Stack.of(this).formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
        ],
      }),
    );
    this.send.live.addEventSource(new SqsEventSource(this.queue, { batchSize: 5, reportBatchItemFailures: true }));

    // Feedback: SES bounce and complaint events (EventBridge) → a suppression item (PutItem under SHOP#) and
    // the ledger status (UpdateItem under DIGEST#). Invoked asynchronously: failures after the rule's and
    // Lambda's retries land in the feedback DLQ.
    this.feedback = new ChatpulseFunction(this, 'Feedback', { name: 'digest-feedback', environment: props.env, timeout: Duration.seconds(10), deadLetterQueue: this.feedbackDlq });
    grantTableAccess(props.table, this.feedback, TABLE_ACCESS['digest-feedback']);
    new Rule(this, 'FeedbackRule', {
      description: 'chatpulse: SES bounces and complaints of the digests',
      eventPattern: {
        source: ['aws.ses'],
        detailType: ['Email Bounced', 'Email Complaint Received'],
        detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
      },
      targets: [new LambdaTarget(this.feedback.live, { deadLetterQueue: this.feedbackDlq, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });
  }
}
