import { beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.ts';
import { TABLE } from '#lib/store/table.ts';
import { TEST_SECRETS } from '#test/support/env.ts';

type Statement = { Action: string | string[]; Resource: unknown };

/** Synthesises the app without bundling (bundling has its own test below). */
function synth(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], stage: 'test', senderEmail: 'digests@shop.vn', ...context } });
  const { stack } = buildApp(app);
  const assembly = app.synth(); // cdk-nag runs here and throws on any unacknowledged finding
  return { template: Template.fromStack(stack), json: JSON.stringify(assembly.getStackByName(stack.stackName).template) };
}

/** The actions each function's role may perform, by the function's construct id. */
function actionsByFunction(template: Template): Record<string, string[]> {
  const roles = template.findResources('AWS::IAM::Policy');
  const out: Record<string, string[]> = {};
  for (const [id, res] of Object.entries(roles)) {
    const statements = (res.Properties.PolicyDocument.Statement as Statement[]).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    out[id] = statements;
  }
  return out;
}
const policyOf = (all: Record<string, string[]>, prefix: string) => Object.entries(all).find(([id]) => id.startsWith(prefix))?.[1] ?? [];

describe('the CDK stack', () => {
  let template: Template;
  let json: string;
  beforeAll(() => {
    ({ template, json } = synth());
  });

  it('builds the table from the shared definition: keys, GSI, TTL, PITR, on-demand', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: TABLE.gsi1.name, KeySchema: [{ AttributeName: TABLE.gsi1.partitionKey, KeyType: 'HASH' }, { AttributeName: TABLE.gsi1.sortKey, KeyType: 'RANGE' }] })],
    });
  });

  it('has a FIFO ingest queue and a digest queue, each with a dead-letter queue after 5 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() }, VisibilityTimeout: 180 });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() }, VisibilityTimeout: 360 });
    template.resourceCountIs('AWS::SQS::Queue', 4);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });

  it('runs every function on Node 24, ARM64, with tracing', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(fns).length).toBe(8);
    for (const f of Object.values(fns)) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(f.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('routes the HTTP API, with the shop-key authorizer on events and reports only', () => {
    const routes = template.findResources('AWS::ApiGatewayV2::Route');
    const byKey = Object.fromEntries(Object.values(routes).map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType ?? 'NONE']));
    expect(byKey).toMatchObject({
      'POST /v1/events': 'CUSTOM',
      'GET /v1/shops/{shopId}/reports/{report}': 'CUSTOM',
      'GET /webhooks/meta': 'NONE',
      'POST /webhooks/meta': 'NONE',
      'POST /webhooks/zalo': 'NONE',
      'POST /webhooks/orders/{platform}': 'NONE',
      'ANY /v1/admin/{proxy+}': 'NONE',
      'GET /healthz': 'NONE',
      'GET /v1/openapi.json': 'NONE',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'REQUEST', EnableSimpleResponses: true, IdentitySource: ['$request.header.Authorization'], AuthorizerResultTtlInSeconds: 300 });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }), DefaultRouteSettings: { ThrottlingBurstLimit: 500, ThrottlingRateLimit: 200 } });
  });

  it('schedules the digest dispatcher hourly', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 * * * ? *)' });
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'digests@shop.vn' });
  });

  it('alarms on dead letters, errors, throttles and the age of the oldest ingest message', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => `${a.Properties.Namespace}:${a.Properties.MetricName}`);
    expect(alarms.filter((a) => a === 'AWS/SQS:ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(alarms.filter((a) => a === 'AWS/Lambda:Errors')).toHaveLength(8);
    expect(alarms.filter((a) => a === 'AWS/Lambda:Throttles')).toHaveLength(8);
    expect(alarms).toContain('AWS/SQS:ApproximateAgeOfOldestMessage');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 300, AlarmActions: [Match.anyValue()] });
  });

  it('gives each function only the permissions it needs', () => {
    const all = actionsByFunction(template);
    const dynamo = (p: string) => policyOf(all, p).filter((a) => a.startsWith('dynamodb:')).sort();
    expect(dynamo('ApiAuthorizer')).toEqual(['dynamodb:GetItem']);
    expect(dynamo('ApiReport')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect(dynamo('ApiWebhook')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
    expect(dynamo('ApiEvents')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
    expect(dynamo('DigestsDispatch')).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(dynamo('IngestionIngest')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    for (const [id, actions] of Object.entries(all)) {
      const ses = actions.filter((a) => a.startsWith('ses:'));
      if (id.startsWith('DigestsSend')) expect(ses.sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      else expect(ses, id).toEqual([]);
      expect(actions.some((a) => a === 'dynamodb:*' || a === '*' || a === 'dynamodb:DeleteTable'), id).toBe(false);
    }
    expect(policyOf(all, 'ApiReport').some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    expect(policyOf(all, 'ApiWebhook').some((a) => a === 'secretsmanager:GetSecretValue')).toBe(true);
    expect(policyOf(all, 'ApiEvents').some((a) => a.startsWith('sqs:SendMessage'))).toBe(true);
    expect(policyOf(all, 'ApiReport').some((a) => a.startsWith('sqs:'))).toBe(false);
  });

  it('puts no secret value in the template, only the secret\'s name', () => {
    for (const v of Object.values(TEST_SECRETS)) expect(json).not.toContain(v);
    expect(json).toContain('chatpulse/test');
  });

  it('is cdk-nag AwsSolutions clean and keeps prod data on delete', () => {
    const { template: prod } = synth({ stage: 'prod' }); // would throw on a finding
    prod.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ DeletionProtectionEnabled: true }) });
  });

  it('bundles every function with esbuild, without Docker', { timeout: 240_000 }, () => {
    const app = new App({ context: { stage: 'bundled', senderEmail: 'digests@shop.vn' } });
    const { stack } = buildApp(app);
    const assembly = app.synth();
    const fns = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(fns).toHaveLength(8);
    for (const f of fns) expect(f.Properties.Code.S3Key).toMatch(/\.zip$/);
    expect(assembly.directory).toBeTruthy();
  });
});
