import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { App, Validations, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { buildApp } from '../../infra/app.ts';
import type { ChatpulseStack } from '../../infra/stack.ts';
import { TABLE, tableDefinition } from '#lib/store/table.ts';
import { TEST_SECRETS } from '#test/support/env.ts';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const CONTEXT = { stage: 'test', senderEmail: 'digests@shop.vn', alarmEmail: 'ops@shop.vn' };

/** Synthesises the app without bundling (one test below bundles for real). */
function synth(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...CONTEXT, ...context } });
  const { stack } = buildApp(app);
  const assembly = app.synth(); // the cdk-nag plugin runs here: any unacknowledged finding throws
  const json = JSON.stringify(assembly.getStackByName(stack.stackName).template);
  return { app, stack, template: Template.fromStack(stack), json };
}

const idOf = (stack: ChatpulseStack, c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnElement);

/** Every function of the stack by name, with its logical id. */
function functionIds(stack: ChatpulseStack): Record<string, string> {
  const { reporting: r, ingestion, digests, alerts } = stack;
  const fns = { webhook: r.webhook, events: r.events, report: r.report, admin: r.admin, authorizer: r.authorizer, ingest: ingestion.fn, dispatch: digests.dispatch, send: digests.send, alerts: alerts.fn };
  return Object.fromEntries(Object.entries(fns).map(([k, fn]) => [k, idOf(stack, fn)]));
}

/** The actions each function's execution role may perform (every policy attached to that role). */
function actionsOf(template: Template, functionId: string): string[] {
  const fn = template.toJSON().Resources[functionId] as Resource;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  return policies
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.Properties.PolicyDocument.Statement as Statement[]).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
}
const only = (actions: string[], prefix: string) => [...new Set(actions.filter((a) => a.startsWith(prefix)))].sort();

/** Every policy statement on a function's execution role. */
function statementsOf(template: Template, functionId: string): Array<Statement & { Condition?: Record<string, Record<string, string[]>> }> {
  const fn = template.toJSON().Resources[functionId] as Resource;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  return policies.filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId)).flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const actionList = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const DYNAMO_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'];

describe('the CDK stack', () => {
  let stack: ChatpulseStack;
  let template: Template;
  let json: string;
  let fnIds: Record<string, string>;
  beforeAll(() => {
    ({ stack, template, json } = synth());
    fnIds = functionIds(stack);
  });

  it('is named after the stage', () => {
    expect(stack.stackName).toBe('Chatpulse-test');
  });

  it('builds the table from the shared definition: keys, GSI, TTL, PITR, on-demand', () => {
    const def = tableDefinition('x');
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: def.KeySchema,
      AttributeDefinitions: Match.arrayWith(def.AttributeDefinitions.map((a) => Match.objectEquals(a))),
      BillingMode: def.BillingMode,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      GlobalSecondaryIndexes: def.GlobalSecondaryIndexes.map((g) => Match.objectLike({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })),
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DeletionProtectionEnabled: false }) });
  });

  it('has a standard ingest queue and a standard digest queue, each encrypted with a dead-letter queue after 5 receives', () => {
    const queues = template.toJSON().Resources as Record<string, Resource>;
    const ingest = queues[idOf(stack, stack.ingestion.queue)]!.Properties;
    const ingestDlq = queues[idOf(stack, stack.ingestion.dlq)]!.Properties;
    const ingestTimeout = (queues[fnIds.ingest!] as Resource).Properties.Timeout as number;
    // standard, not FIFO: no per-queue send ceiling for all shops together (bench/RESULTS.md, "Queue design")
    expect(ingest.FifoQueue).toBeUndefined();
    expect(ingest.ContentBasedDeduplication).toBeUndefined();
    expect(ingest.SqsManagedSseEnabled).toBe(true);
    // AWS's advice for a Lambda event source with a batching window: 6 × the function timeout + the window (20 s)
    expect(ingest.VisibilityTimeout).toBeGreaterThanOrEqual(6 * ingestTimeout + 20);
    expect(ingest.RedrivePolicy).toEqual({ maxReceiveCount: 5, deadLetterTargetArn: { 'Fn::GetAtt': [idOf(stack, stack.ingestion.dlq), 'Arn'] } });
    expect(ingestDlq.FifoQueue).toBeUndefined();
    expect(ingestDlq.SqsManagedSseEnabled).toBe(true);
    // large batches gathered for up to 20 s, partial batch failures, bounded but ample concurrency
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnIds.ingest },
      EventSourceArn: { 'Fn::GetAtt': [idOf(stack, stack.ingestion.queue), 'Arn'] },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 20,
      ScalingConfig: { MaximumConcurrency: 200 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });

    const digest = queues[idOf(stack, stack.digests.queue)]!.Properties;
    const sendTimeout = (queues[fnIds.send!] as Resource).Properties.Timeout as number;
    expect(digest.FifoQueue).toBeUndefined();
    expect(digest.VisibilityTimeout).toBeGreaterThanOrEqual(6 * sendTimeout);
    expect(digest.RedrivePolicy).toEqual({ maxReceiveCount: 5, deadLetterTargetArn: { 'Fn::GetAtt': [idOf(stack, stack.digests.dlq), 'Arn'] } });
    const alert = queues[idOf(stack, stack.alerts.queue)]!.Properties;
    const alertTimeout = (queues[fnIds.alerts!] as Resource).Properties.Timeout as number;
    expect(alert.VisibilityTimeout).toBeGreaterThanOrEqual(6 * alertTimeout);
    expect(alert.RedrivePolicy).toEqual({ maxReceiveCount: 5, deadLetterTargetArn: { 'Fn::GetAtt': [idOf(stack, stack.alerts.dlq), 'Arn'] } });
    template.resourceCountIs('AWS::SQS::Queue', 6);

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnIds.send },
      EventSourceArn: { 'Fn::GetAtt': [idOf(stack, stack.digests.queue), 'Arn'] },
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnIds.alerts },
      EventSourceArn: { 'Fn::GetAtt': [idOf(stack, stack.alerts.queue), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs every function on the pinned runtime, ARM64, with tracing, source maps and a one-month log group', () => {
    const fns = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    expect(Object.keys(fns).sort()).toEqual(Object.values(fnIds).sort());
    for (const f of Object.values(fns)) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(f.Properties.Handler).toBe('index.handler');
      expect(f.Properties.MemorySize).toBeGreaterThanOrEqual(512);
      // source maps ship beside the bundle but are not applied at load (they double the load time)
      expect(f.Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
      expect(f.Properties.Environment.Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'chatpulse', POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_LOGGER_SAMPLE_RATE: '0.01' });
      expect(f.Properties.LoggingConfig.LogGroup).toBeDefined();
    }
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup')) as Resource[];
    expect(logGroups.filter((g) => g.Properties.RetentionInDays === 30)).toHaveLength(9);
  });

  it('gives each function its table, queue URLs, sender, base URL and the secret name where needed', () => {
    const env = (k: string) => ((template.toJSON().Resources[fnIds[k]!] as Resource).Properties.Environment.Variables as Record<string, unknown>);
    for (const k of Object.keys(fnIds)) {
      expect(env(k).TABLE_NAME, k).toEqual({ Ref: idOf(stack, stack.storage.table) });
      expect(env(k).PUBLIC_BASE_URL, k).toBeDefined();
    }
    const ingestUrl = { Ref: idOf(stack, stack.ingestion.queue) };
    const digestUrl = { Ref: idOf(stack, stack.digests.queue) };
    expect(env('webhook').INGEST_QUEUE_URL).toEqual(ingestUrl);
    expect(env('events').INGEST_QUEUE_URL).toEqual(ingestUrl);
    expect(env('admin').DIGEST_QUEUE_URL).toEqual(digestUrl);
    expect(env('dispatch').DIGEST_QUEUE_URL).toEqual(digestUrl);
    expect(env('send').SES_FROM).toBe('digests@shop.vn');
    // ingest queues wait timers; the alert worker re-enqueues them, dead-letters and mails
    const alertUrl = { Ref: idOf(stack, stack.alerts.queue) };
    expect(env('ingest').ALERT_QUEUE_URL).toEqual(alertUrl);
    expect(env('alerts')).toMatchObject({ ALERT_QUEUE_URL: alertUrl, ALERT_DLQ_URL: { Ref: idOf(stack, stack.alerts.dlq) }, SES_FROM: 'digests@shop.vn' });
    const withSecret = Object.keys(fnIds).filter((k) => env(k).SECRET_ARNS !== undefined || env(k).SECRET_ARN !== undefined).sort();
    // digest-send holds none: its jobs carry links signed by the dispatcher (or admin's digest run)
    expect(withSecret).toEqual(['admin', 'dispatch', 'report', 'webhook']);
    expect(env('webhook').SECRET_ARNS).toBe('chatpulse/test/webhook');
    expect(env('admin').SECRET_ARNS).toBe('chatpulse/test/admin,chatpulse/test/unsubscribe,chatpulse/test/links');
    expect(env('dispatch').SECRET_ARNS).toBe('chatpulse/test/unsubscribe,chatpulse/test/links');
    expect(env('report').SECRET_ARNS).toBe('chatpulse/test/links');
  });

  it('routes the HTTP API to the right functions, with the shop-key authorizer on events and reports only', () => {
    const resources = template.toJSON().Resources as Record<string, Resource>;
    const authorizers = Object.entries(template.findResources('AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 60,
    });
    // the README states the same time, since a revoked key keeps working that long
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toMatch(/revoked key stops working within 60 seconds/);
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(fnIds.authorizer);

    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    const table = Object.fromEntries(
      routes.map((r) => {
        const integrationId = (r.Properties.Target['Fn::Join'][1][1] as { Ref: string }).Ref;
        const uri = JSON.stringify(resources[integrationId]!.Properties.IntegrationUri);
        const fn = Object.entries(fnIds).find(([, id]) => uri.includes(id))?.[0];
        const auth = r.Properties.AuthorizationType === 'CUSTOM' ? (r.Properties.AuthorizerId.Ref === authorizerId ? 'shop-key' : 'other') : 'none';
        return [r.Properties.RouteKey as string, `${fn} ${auth}`];
      }),
    );
    expect(table).toEqual({
      'GET /webhooks/meta': 'webhook none',
      'POST /webhooks/meta': 'webhook none',
      'POST /webhooks/zalo': 'webhook none',
      'POST /webhooks/orders/{platform}/{shopId}': 'webhook none',
      'GET /healthz': 'webhook none',
      'POST /v1/events': 'events shop-key',
      'GET /v1/shops/{shopId}/reports/{report}': 'report shop-key',
      'GET /v1/shops/{shopId}/orders/{orderId}': 'report shop-key',
      'GET /v1/shops/{shopId}/exports/conversations': 'report shop-key',
      'POST /v1/shops/{shopId}/report-links': 'report shop-key',
      'GET /v1/shops/{shopId}/waiting': 'report shop-key',
      'POST /v1/shops/{shopId}/waiting-links': 'report shop-key',
      // a signed report page carries its own signature, checked by the report function
      'GET /v1/report-pages/{shopId}/{report}': 'report none',
      'GET /v1/openapi.json': 'report none',
      'GET /v1/metrics': 'report none',
      'ANY /v1/admin/{proxy+}': 'admin none',
      'GET /v1/unsubscribe': 'admin none',
      'POST /v1/unsubscribe': 'admin none',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('throttles the stage and writes access logs', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 500, ThrottlingRateLimit: 200 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
    });
  });

  it('gives webhooks, events, reports and admin each their own throttle, on every route', () => {
    const [stageId, stage] = Object.entries(template.findResources('AWS::ApiGatewayV2::Stage'))[0]! as [string, Resource & { DependsOn?: string[] }];
    const settings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    const limits = (k: string) => [settings[k]?.ThrottlingRateLimit, settings[k]?.ThrottlingBurstLimit];
    const webhooks = [10_000, 5_000];
    const events = [1_000, 2_000];
    const reports = [100, 200];
    const admin = [10, 20];
    const open = [20, 50];
    expect(Object.fromEntries(Object.keys(settings).sort().map((k) => [k, limits(k)]))).toEqual({
      'ANY /v1/admin/{proxy+}': admin,
      'GET /healthz': open,
      'GET /v1/openapi.json': open,
      'GET /v1/metrics': open,
      'GET /v1/report-pages/{shopId}/{report}': open,
      'GET /v1/shops/{shopId}/exports/conversations': reports,
      'GET /v1/shops/{shopId}/orders/{orderId}': reports,
      'GET /v1/shops/{shopId}/reports/{report}': reports,
      'GET /v1/shops/{shopId}/waiting': reports,
      'GET /v1/unsubscribe': open,
      'GET /webhooks/meta': webhooks,
      'POST /v1/events': events,
      'POST /v1/shops/{shopId}/report-links': reports,
      'POST /v1/shops/{shopId}/waiting-links': reports,
      'POST /v1/unsubscribe': open,
      'POST /webhooks/meta': webhooks,
      'POST /webhooks/orders/{platform}/{shopId}': webhooks,
      'POST /webhooks/zalo': webhooks,
    });
    // every route has settings, and the stage is deployed after the routes its settings name
    const routes = template.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>;
    expect(Object.values(routes).map((r) => r.Properties.RouteKey).sort()).toEqual(Object.keys(settings).sort());
    for (const id of Object.keys(routes)) expect(stage.DependsOn, stageId).toContain(id);
  });

  it('schedules the digest dispatcher hourly and verifies the sender with SES', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 * * * ? *)',
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [fnIds.dispatch, 'Arn'] }, RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }) }),
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'digests@shop.vn' });
  });

  it('alarms on dead letters, errors and throttles of every function, and the age of the oldest ingest message', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    const dims = (a: Resource) => JSON.stringify(a.Properties.Dimensions);
    const named = (metric: string) => alarms.filter((a) => a.Properties.MetricName === metric);

    const dlq = named('ApproximateNumberOfMessagesVisible');
    expect(dlq).toHaveLength(3);
    for (const q of [stack.ingestion.dlq, stack.digests.dlq, stack.alerts.dlq]) {
      const a = dlq.find((x) => dims(x).includes(idOf(stack, q)));
      expect(a?.Properties).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
    for (const metric of ['Errors', 'Throttles']) {
      const found = named(metric);
      for (const [name, id] of Object.entries(fnIds)) {
        const a = found.find((x) => dims(x).includes(id));
        expect(a?.Properties, `${metric} of ${name}`).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Sum' });
      }
    }
    const age = named('ApproximateAgeOfOldestMessage');
    expect(age).toHaveLength(1);
    expect(dims(age[0]!)).toContain(idOf(stack, stack.ingestion.queue));
    expect(age[0]!.Properties).toMatchObject({ Threshold: 300, ComparisonOperator: 'GreaterThanThreshold' });

    const topic = { Ref: idOf(stack, stack.observability.topic) };
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([topic]);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@shop.vn' });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('lets CloudWatch publish to the encrypted alarm topic', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
  });

  it('gives each function only the table actions it needs', () => {
    const dynamo = (k: string) => only(actionsOf(template, fnIds[k]!), 'dynamodb:');
    expect(dynamo('authorizer')).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']); // last use of API key items only (LeadingKeys test)
    expect(dynamo('webhook')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
    expect(dynamo('events')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
    expect(dynamo('report')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect(dynamo('dispatch')).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(dynamo('ingest')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(dynamo('send')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(dynamo('alerts')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(dynamo('admin')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);

    const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'];
    for (const readOnly of ['webhook', 'events', 'report', 'dispatch']) expect(dynamo(readOnly).filter((a) => writes.includes(a)), readOnly).toEqual([]);
    // no wildcard action and no table management anywhere
    for (const [name, id] of Object.entries(fnIds)) {
      for (const a of actionsOf(template, id)) expect(a.endsWith('*') && !a.startsWith('xray:') ? a : '', name).toBe('');
      expect(actionsOf(template, id).filter((a) => /Table|Scan|Stream|Export|Restore/.test(a)), name).toEqual([]);
    }
  });

  it('scopes table actions to the table and its index', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
    const tableId = idOf(stack, stack.storage.table);
    for (const p of policies)
      for (const s of p.Properties.PolicyDocument.Statement as Statement[]) {
        const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
        if (!actions.some((a) => a.startsWith('dynamodb:'))) continue;
        const resources = JSON.stringify(s.Resource);
        expect(resources).toContain(tableId);
        expect(resources).not.toMatch(/"\*"/);
      }
  });

  it('lets only the senders send to queues, and only digest-send and the alert worker send mail', () => {
    const sqsSend = (k: string) => only(actionsOf(template, fnIds[k]!), 'sqs:SendMessage');
    for (const k of ['webhook', 'events', 'admin', 'dispatch', 'send', 'ingest', 'alerts']) expect(sqsSend(k), k).toEqual(['sqs:SendMessage']);
    for (const k of ['report', 'authorizer']) expect(sqsSend(k), k).toEqual([]);
    for (const [name, id] of Object.entries(fnIds)) {
      const ses = only(actionsOf(template, id), 'ses:');
      expect(ses, name).toEqual(name === 'send' || name === 'alerts' ? ['ses:SendEmail', 'ses:SendRawEmail'] : []);
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['ses:SendEmail', 'ses:SendRawEmail'], Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':identity/$'), { Ref: idOf(stack, stack.node.findChild('Digests').node.findChild('Sender')) }])] }) }),
        ]),
      },
    });
  });

  it('grants each function only the secrets it uses: the webhook never reads ADMIN_TOKEN', () => {
    const secretsOf = (name: string) =>
      statementsOf(template, fnIds[name]!)
        .filter((st) => actionList(st).some((a) => a.startsWith('secretsmanager:')))
        .map((st) => /secret:(chatpulse\/test\/[a-z]+)-/.exec(JSON.stringify(st.Resource))?.[1])
        .sort();
    expect(secretsOf('webhook')).toEqual(['chatpulse/test/webhook']);
    expect(secretsOf('admin')).toEqual(['chatpulse/test/admin', 'chatpulse/test/links', 'chatpulse/test/unsubscribe']);
    expect(secretsOf('dispatch')).toEqual(['chatpulse/test/links', 'chatpulse/test/unsubscribe']);
    expect(secretsOf('report')).toEqual(['chatpulse/test/links']);
    for (const name of ['events', 'authorizer', 'ingest', 'send', 'alerts']) expect(secretsOf(name), name).toEqual([]);
    for (const [name, id] of Object.entries(fnIds)) {
      const sm = only(actionsOf(template, id), 'secretsmanager:');
      expect(sm, name).toEqual(['webhook', 'admin', 'dispatch', 'report'].includes(name) ? ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] : []);
    }
  });

  it('limits the table writes of ingest, digest-send, the authorizer and the alert worker to the key prefixes they own (dynamodb:LeadingKeys)', () => {
    const writes = (name: string) =>
      statementsOf(template, fnIds[name]!)
        .filter((st) => actionList(st).some((a) => DYNAMO_WRITES.includes(a)))
        .map((st) => ({ actions: actionList(st).filter((a) => DYNAMO_WRITES.includes(a)).sort(), leadingKeys: st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] }));
    expect(writes('ingest')).toEqual([{ actions: ['dynamodb:ConditionCheckItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], leadingKeys: ['SHOP#*'] }]);
    expect(writes('send')).toEqual([{ actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], leadingKeys: ['DIGEST#*'] }]);
    expect(writes('authorizer')).toEqual([{ actions: ['dynamodb:UpdateItem'], leadingKeys: ['APIKEY#*'] }]);
    expect(writes('alerts')).toEqual([{ actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], leadingKeys: ['ALERT#*'] }]);
    for (const name of ['webhook', 'events', 'report', 'dispatch']) expect(writes(name), name).toEqual([]);
  });

  it("puts no secret value in the template, only the secrets' names", () => {
    for (const v of Object.values(TEST_SECRETS)) expect(json).not.toContain(v);
    for (const g of ['webhook', 'admin', 'unsubscribe']) expect(json).toContain(`chatpulse/test/${g}`);
    expect(json).not.toMatch(/SecretString|resolve:secretsmanager/);
  });

  it('is clean under cdk-nag AwsSolutions, every acknowledgement with a reason', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...CONTEXT } });
    buildApp(app);
    app.synth();
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
    const acknowledged = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.values(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const reason of acknowledged) expect(reason.length).toBeGreaterThan(30);
  });

  it('keeps prod data: RETAIN and deletion protection; secret name follows the stage', () => {
    const { template: prod, json: prodJson } = synth({ stage: 'prod', alarmEmail: '' });
    prod.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: Match.objectLike({ DeletionProtectionEnabled: true }) });
    prod.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(prodJson).toContain('chatpulse/prod');
  });

  it('bundles every function with the local esbuild (no Docker), #lib imports resolved and the SDK inside', { timeout: 360_000 }, () => {
    const app = new App({ context: { ...CONTEXT, stage: 'bundled' } });
    const { stack: bundled } = buildApp(app);
    const assembly = app.synth();
    const fns = Object.values(Template.fromStack(bundled).findResources('AWS::Lambda::Function')) as Resource[];
    expect(fns).toHaveLength(9);
    const assetDirs = fns.map((f) => path.join(assembly.directory, `asset.${String(f.Properties.Code.S3Key).replace(/\.zip$/, '')}`));
    expect(new Set(assetDirs).size).toBe(9);
    for (const dir of assetDirs) {
      const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(existsSync(path.join(dir, 'index.mjs.map')), dir).toBe(true);
      expect(code.startsWith("import { createRequire } from 'module';"), dir).toBe(true);
      expect(code, dir).not.toMatch(/["']#lib\//); // package.json imports resolved by esbuild
      expect(code, dir).not.toMatch(/from\s*["']@aws-sdk\//); // the pinned SDK is bundled, not imported from the runtime
      expect(code, dir).not.toContain('BatchGetMetricData'); // SES v2 schemas of operations never sent are shaken out (infra/sdk-tree-shaking.ts)
      expect(existsSync(path.join(dir, 'templates', 'compiled')), dir).toBe(true);
      // the Tracer ships beside the bundle, mapped by package.json, and stays out of it
      expect(code, dir).toMatch(/import\(\s*["']#tracer["']\s*\)/);
      expect(code, dir).not.toContain('AWSXRay');
      expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')), dir).toEqual({ type: 'module', imports: { '#tracer': './tracer.mjs' } });
      expect(readFileSync(path.join(dir, 'tracer.mjs'), 'utf8'), dir).toContain('captureAWSv3Client');
      expect(existsSync(path.join(dir, 'openapi.json')), dir).toBe(true); // served by the report function (lib/reports/openapi-served.ts)
    }
  });

  it('turns SDK tracing on only when asked (-c tracing=sdk), and refuses other values', () => {
    const tracingOf = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function') as Record<string, Resource>).map((f) => f.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED);
    expect(new Set(tracingOf(synth().template))).toEqual(new Set(['false']));
    expect(new Set(tracingOf(synth({ tracing: 'sdk' }).template))).toEqual(new Set(['true']));
    expect(() => synth({ tracing: 'yes' })).toThrow(/context tracing must be off or sdk, got yes/);
  });
});
