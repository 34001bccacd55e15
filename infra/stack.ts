import { CfnOutput, Stack, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { Storage } from './constructs/storage.ts';
import { Ingestion } from './constructs/ingestion.ts';
import { Digests } from './constructs/digests.ts';
import { Api } from './constructs/api.ts';
import { Observability } from './constructs/observability.ts';

export type ChatpulseStackProps = StackProps & {
  stage: string;
  /** SES sender of the digests (verified as an SES identity by the stack) */
  senderEmail: string;
  /** Secrets Manager secret (JSON) with META_APP_SECRET, META_VERIFY_TOKEN, ZALO_APP_ID, ZALO_OA_SECRET_KEY, ORDER_WEBHOOK_SECRET, ADMIN_TOKEN */
  secretName: string;
  alarmEmail?: string;
};

/** The whole of chatpulse: one stack composed of one construct per concern. */
export class ChatpulseStack extends Stack {
  constructor(scope: Construct, id: string, props: ChatpulseStackProps) {
    super(scope, id, props);
    const secret = Secret.fromSecretNameV2(this, 'Secrets', props.secretName);
    const { table } = new Storage(this, 'Storage', { stage: props.stage });
    const env = { TABLE_NAME: table.tableName, STAGE: props.stage };
    const ingestion = new Ingestion(this, 'Ingestion', { table, env });
    const digests = new Digests(this, 'Digests', { table, secret, senderEmail: props.senderEmail, env });
    const api = new Api(this, 'Api', { table, secret, ingestQueue: ingestion.queue, digestQueue: digests.queue, env });
    const publicUrl = api.api.apiEndpoint;
    for (const fn of [...api.functions, digests.send]) fn.addEnvironment('PUBLIC_BASE_URL', publicUrl);
    const [webhook, events, report, admin, authorizer] = api.functions;
    new Observability(this, 'Observability', {
      functions: { Webhook: webhook!, Events: events!, Report: report!, Admin: admin!, Authorizer: authorizer!, Ingest: ingestion.fn, DigestDispatch: digests.dispatch, DigestSend: digests.send },
      deadLetterQueues: { Ingest: ingestion.dlq, Digest: digests.dlq },
      ingestQueue: ingestion.queue,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The AWS managed basic execution policy only lets a function write its own logs.',
    });
    Validations.of(this).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource scoping.' });
    const logicalId = (c: Construct) => this.getLogicalId(c.node.defaultChild as CfnElement);
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId(table)}.Arn>/index/*]`,
      reason: 'Grants on the table include its index (GSI1, open waits) for Query; no other table is reachable.',
    });
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId(digests.dispatch)}.Arn>:*]`,
      reason: 'The scheduler may invoke any version of the dispatch function, and only that function.',
    });
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${props.secretName}-??????]`,
      reason: 'Secrets Manager appends six random characters to the secret ARN; the grant names this one secret.',
    });

    new CfnOutput(this, 'ApiUrl', { value: publicUrl, description: 'Base URL for webhooks, events, reports and admin' });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'IngestDlqArn', { value: ingestion.dlq.queueArn, description: 'DLQ_ARN for npm run dlq:replay' });
    new CfnOutput(this, 'DigestDlqArn', { value: digests.dlq.queueArn });
  }
}
