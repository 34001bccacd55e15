import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { SECRET_GROUPS, type SecretGroup } from '../lib/secrets.ts';
import { settingProblems } from '../lib/config.ts';
import { Construct } from 'constructs';
import { LAMBDA_RUNTIME } from './bundling.ts';
import { Storage, type ProvisionedCapacity } from './constructs/storage.ts';
import { Ingestion } from './constructs/ingestion.ts';
import { Digests } from './constructs/digests.ts';
import { Reporting } from './constructs/reporting.ts';
import { Observability } from './constructs/observability.ts';
import { Deployments } from './constructs/deployments.ts';
import { Backups } from './constructs/backup.ts';
import { Alerts } from './constructs/alerts.ts';
import type { ChatpulseFunction } from './constructs/chatpulse-function.ts';

export type ChatpulseStackProps = StackProps & {
  stage: string;
  /** SES sender of the digests (the stack creates its SES identity) */
  senderEmail: string;
  /**
   * Prefix of the Secrets Manager secrets (JSON), one per group of lib/secrets.ts SECRET_GROUPS:
   * `<prefix>/webhook` (platform secrets), `<prefix>/admin` (ADMIN_TOKEN), `<prefix>/links` (REPORT_LINK_KEY), `<prefix>/unsubscribe`
   * (UNSUBSCRIBE_SIGNING_KEY). Each function is granted only the groups it uses.
   */
  secretPrefix: string;
  /** subscribed to the alarm topic; a prod stack without one does not synthesize */
  alarmEmail?: string;
  /** X-Ray subsegments for SDK calls (Powertools Tracer, lib/aws/tracing.ts); off by default */
  traceSdkCalls?: boolean;
  /**
   * Retention (days): `personalDataDays` (PERSONAL_DATA_DAYS, 730) for the items that name a person after
   * their last write, `rawEventDays` (RAW_EVENT_TTL_DAYS, 400) for raw events after their day. Checked by the
   * rules of lib/config.ts at synth.
   */
  retention?: { personalDataDays?: number; rawEventDays?: number };
  /** Provisioned table capacity with auto scaling (README "Cost model" says who should pick it); on demand when absent. */
  capacity?: ProvisionedCapacity;
};

/** The name of a group's secret: `<prefix>/<group>`. */
export const secretNameOf = (prefix: string, group: SecretGroup) => `${prefix}/${group}`;

/** The whole of chatpulse: one stack composed of one construct per concern. */
export class ChatpulseStack extends Stack {
  readonly storage: Storage;
  readonly ingestion: Ingestion;
  readonly digests: Digests;
  readonly reporting: Reporting;
  readonly observability: Observability;
  readonly alerts: Alerts;
  readonly deployments: Deployments;
  /** prod only */
  readonly backups: Backups | undefined;

  constructor(scope: Construct, id: string, props: ChatpulseStackProps) {
    super(scope, id, props);
    if (props.stage === 'prod' && !props.alarmEmail?.trim())
      throw new Error('A prod stack needs an alarm subscriber: deploy with -c alarmEmail=<address of whoever is on call> (the alarm topic would otherwise reach no one).');
    const retentionEnv: Record<string, string> = {
      ...(props.retention?.personalDataDays !== undefined ? { PERSONAL_DATA_DAYS: String(props.retention.personalDataDays) } : {}),
      ...(props.retention?.rawEventDays !== undefined ? { RAW_EVENT_TTL_DAYS: String(props.retention.rawEventDays) } : {}),
    };
    const retentionProblems = settingProblems(retentionEnv);
    if (retentionProblems.length > 0)
      throw new Error(`Invalid retention (context personalDataDays / rawEventDays):\n  ${retentionProblems.join('\n  ')}`);
    // Imported by name: the template holds the names, never a value.
    const secrets = Object.fromEntries(
      (Object.keys(SECRET_GROUPS) as SecretGroup[]).map((g) => [g, Secret.fromSecretNameV2(this, `Secret-${g}`, secretNameOf(props.secretPrefix, g))]),
    ) as Record<SecretGroup, ISecret>;
    this.storage = new Storage(this, 'Storage', { stage: props.stage, ...(props.capacity ? { capacity: props.capacity } : {}) });
    const { table } = this.storage;
    const env = { TABLE_NAME: table.tableName };
    this.ingestion = new Ingestion(this, 'Ingestion', { table, env });
    this.digests = new Digests(this, 'Digests', { table, unsubscribeSecret: secrets.unsubscribe, linksSecret: secrets.links, senderEmail: props.senderEmail, env });
    this.alerts = new Alerts(this, 'Alerts', { table, senderEmail: props.senderEmail, configurationSetName: this.digests.configurationSet.configurationSetName, env });
    this.alerts.grantScheduling(this.ingestion.fn);
    this.reporting = new Reporting(this, 'Reporting', { table, secrets, ingestQueue: this.ingestion.queue, digestQueue: this.digests.queue, env });
    const publicUrl = this.reporting.api.apiEndpoint;
    for (const fn of this.functions) {
      fn.addEnvironment('PUBLIC_BASE_URL', publicUrl);
      for (const [k, v] of Object.entries(retentionEnv)) fn.addEnvironment(k, v);
      fn.addEnvironment('POWERTOOLS_TRACE_ENABLED', props.traceSdkCalls ? 'true' : 'false');
    }

    const { webhook, events, report, admin, authorizer } = this.reporting;
    const apiFunctions = { Webhook: webhook, Events: events, Report: report, Admin: admin, Authorizer: authorizer };
    this.observability = new Observability(this, 'Observability', {
      functions: { ...apiFunctions, Ingest: this.ingestion.fn, DigestDispatch: this.digests.dispatch, DigestSend: this.digests.send, DigestFeedback: this.digests.feedback, Alerts: this.alerts.fn },
      deadLetterQueues: { Ingest: this.ingestion.dlq, Digest: this.digests.dlq, DigestDispatch: this.digests.dispatchDlq, DigestFeedback: this.digests.feedbackDlq, Alert: this.alerts.dlq, LifecycleSweep: this.reporting.sweepDlq },
      ingestQueue: this.ingestion.queue,
      table,
      api: this.reporting.api,
      configurationSetName: this.digests.configurationSet.configurationSetName,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });
    this.deployments = new Deployments(this, 'Deployments', { functions: apiFunctions, topic: this.observability.topic });
    this.backups = props.stage === 'prod' ? new Backups(this, 'Backups', { table }) : undefined;

    this.acknowledgeFindings();

    new CfnOutput(this, 'ApiUrl', { value: publicUrl, description: 'Base URL for webhooks, events, reports and admin' });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'IngestDlqArn', { value: this.ingestion.dlq.queueArn, description: 'DLQ_ARN for npm run dlq:replay' });
    new CfnOutput(this, 'DigestDlqArn', { value: this.digests.dlq.queueArn, description: 'DLQ_ARN for npm run dlq:replay' });
    new CfnOutput(this, 'AlertDlqArn', { value: this.alerts.dlq.queueArn, description: 'SLA alert deliveries given up (reason in the message attribute)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.topic.topicArn });
  }

  /** Every function of the stack. */
  get functions(): ChatpulseFunction[] {
    return [...this.reporting.functions, this.ingestion.fn, this.digests.dispatch, this.digests.send, this.digests.feedback, this.alerts.fn];
  }

  /** cdk-nag findings that are deliberate, each with its reason (the rest of the stack passes AwsSolutions). */
  private acknowledgeFindings(): void {
    const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    for (const fn of this.functions) {
      if (LAMBDA_RUNTIME.name !== 'nodejs24.x')
        ack(fn, 'AwsSolutions-L1', `Pinned to ${LAMBDA_RUNTIME.name} by the project (runtime and esbuild target are one constant, LAMBDA_RUNTIME in infra/bundling.ts); move it to nodejs24.x before AWS deprecates ${LAMBDA_RUNTIME.name}.`);
      ack(
        fn,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'The AWS managed basic execution policy only lets the function write its own CloudWatch logs.',
      );
      ack(fn, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords (tracing) accept no resource other than *.');
    }
    // Serverless pack: dead letters of synchronous and queue-driven invocations live elsewhere.
    for (const fn of this.reporting.functions.filter((f) => f !== this.reporting.admin))
      ack(fn, 'Serverless-LambdaDLQ', 'Invoked synchronously only (API Gateway routes and authorizer): a failure is answered to the caller, there is no asynchronous event to keep.');
    for (const fn of [this.ingestion.fn, this.digests.send, this.alerts.fn]) {
      ack(fn, 'Serverless-LambdaDLQ', 'Invoked only by its SQS event source: a message that keeps failing goes to that queue\'s own dead-letter queue (redrive policy, alarmed).');
      ack(
        fn,
        'Serverless-LambdaEventSourceMappingDestination',
        "Lambda offers on-failure destinations for stream and Kafka sources only; this SQS source's failed messages go to the queue's dead-letter queue.",
      );
    }
  }
}
