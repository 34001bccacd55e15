import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { App, Validations, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagPack, ServerlessChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { buildApp } from '../../infra/app.ts';
import type { ChatpulseStack } from '../../infra/stack.ts';
import { TABLE, tableDefinition } from '#lib/store/table.ts';
import { keys } from '#lib/store/keys.ts';
import { TEST_SECRETS } from '#test/support/env.ts';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const CONTEXT = { stage: 'test', senderEmail: 'digests@shop.vn', alarmEmail: 'ops@shop.vn' };

/**
 * Synthesises the app without bundling (one test below bundles for real).
 * A synth takes 5–60 s on these shared machines: the file synthesises the
 * test and prod stages once (with both cdk-nag packs as validation plugins),
 * and only a few tests more (without the packs).
 */
function synth(context: Record<string, unknown> = {}, checks = false) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...CONTEXT, ...context } });
  const { stack } = buildApp(app, { checks });
  const assembly = app.synth(); // with checks, the cdk-nag packs run here: any unacknowledged finding throws
  const json = JSON.stringify(assembly.getStackByName(stack.stackName).template);
  return { app, stack, template: Template.fromStack(stack), json };
}

/** An event source mapping's FunctionName when it invokes the `live` alias (CDK's `<function name>:live`). */
const viaAlias = (aliasId: string) => ({ 'Fn::Join': ['', [{ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: aliasId }] }] }, ':live']] });

const idOf = (stack: ChatpulseStack, c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnElement);

/** Every function of the stack by name. */
function functionsOf(stack: ChatpulseStack) {
  const { reporting: r, ingestion, digests, alerts } = stack;
  return { webhook: r.webhook, events: r.events, report: r.report, admin: r.admin, authorizer: r.authorizer, ingest: ingestion.fn, dispatch: digests.dispatch, send: digests.send, feedback: digests.feedback, alerts: alerts.fn };
}
/** Every function of the stack by name, with its logical id. */
function functionIds(stack: ChatpulseStack): Record<string, string> {
  return Object.fromEntries(Object.entries(functionsOf(stack)).map(([k, fn]) => [k, idOf(stack, fn)]));
}
/** The logical id of each function's `live` alias. */
function aliasIds(stack: ChatpulseStack): Record<string, string> {
  return Object.fromEntries(Object.entries(functionsOf(stack)).map(([k, fn]) => [k, idOf(stack, fn.live)]));
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
  let liveIds: Record<string, string>;
  let prod: ReturnType<typeof synth>;
  let testApp: App;
  /** acknowledgements a cdk-nag check honoured while the two stages synthesised: construct path + rule id */
  const used = new Set<string>();
  beforeAll(() => {
    const proto = NagPack.prototype as unknown as { isAcknowledged(resource: Construct, ruleId: string): boolean };
    const original = proto.isAcknowledged;
    proto.isAcknowledged = function (resource: Construct, ruleId: string): boolean {
      const yes = original.call(this, resource, ruleId);
      if (yes)
        for (let c: Construct | undefined = resource; c; c = c.node.scope)
          if (c.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && Object.keys(m.data as object).some((k) => k.replace(/^annotation::/i, '') === ruleId))) used.add(`${c.node.path} ${ruleId}`);
      return yes;
    };
    try {
      let app: App;
      ({ app, stack, template, json } = synth({}, true));
      testApp = app;
      prod = synth({ stage: 'prod', alarmEmail: 'oncall@shop.vn', personalDataDays: '365', rawEventDays: '200' }, true);
    } finally {
      proto.isAcknowledged = original;
    }
    fnIds = functionIds(stack);
    liveIds = aliasIds(stack);
  }, 300_000);

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

  it('keeps the open-waits index to its listed attributes, and the table on demand without scaling by default', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0]!.Properties;
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.ProvisionedThroughput).toBeUndefined();
    const waits = (table.GlobalSecondaryIndexes as Array<Record<string, any>>).find((g) => g.IndexName === 'OpenWaits')!;
    expect(waits.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['pageId', 'customerId', 'channel', 'waitOpenedAt', 'lastReplyBy'] });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  });

  it('with capacity=provisioned, provisions the table and both indexes and scales each on 70 % utilisation', { timeout: 180_000 }, () => {
    const { template: t } = synth({ stage: 'prov', capacity: 'provisioned', writeCapacity: '100-4000', readCapacity: '20-1000' });
    const table = Object.values(t.findResources('AWS::DynamoDB::Table'))[0]!.Properties;
    // CloudFormation's default billing mode is PROVISIONED, which CDK leaves out of the template
    expect(table.BillingMode ?? 'PROVISIONED').toBe('PROVISIONED');
    expect(table.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 20, WriteCapacityUnits: 100 });
    for (const g of table.GlobalSecondaryIndexes as Array<Record<string, any>>) expect(g.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 4, WriteCapacityUnits: 20 });
    const targets = Object.values(t.findResources('AWS::ApplicationAutoScaling::ScalableTarget')).map((r) => r.Properties);
    // table and two indexes, reads and writes: 6 targets
    expect(targets.map((p) => [p.ScalableDimension, p.MinCapacity, p.MaxCapacity]).sort()).toEqual(
      [
        ['dynamodb:index:ReadCapacityUnits', 4, 1000],
        ['dynamodb:index:ReadCapacityUnits', 4, 1000],
        ['dynamodb:index:WriteCapacityUnits', 20, 4000],
        ['dynamodb:index:WriteCapacityUnits', 20, 4000],
        ['dynamodb:table:ReadCapacityUnits', 20, 1000],
        ['dynamodb:table:WriteCapacityUnits', 100, 4000],
      ].sort(),
    );
    const policies = Object.values(t.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).map((r) => r.Properties);
    expect(policies).toHaveLength(6);
    for (const p of policies) expect(p.TargetTrackingScalingPolicyConfiguration.TargetValue).toBe(70);
    expect(() => synth({ stage: 'bad', capacity: 'reserved' })).toThrow('context capacity must be on-demand or provisioned');
    expect(() => synth({ stage: 'bad', capacity: 'provisioned', writeCapacity: '500-100' })).toThrow('context writeCapacity must be min-max');
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
      FunctionName: viaAlias(liveIds.ingest!),
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
    // + the dead-letter queues of the schedule/dispatch, of SES feedback, of the lifecycle sweep (admin's asynchronous
    // invocations) and of undeliverable alarm mails
    template.resourceCountIs('AWS::SQS::Queue', 10);

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: viaAlias(liveIds.send!),
      EventSourceArn: { 'Fn::GetAtt': [idOf(stack, stack.digests.queue), 'Arn'] },
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: viaAlias(liveIds.alerts!),
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
    expect(logGroups.filter((g) => g.Properties.RetentionInDays === 30)).toHaveLength(10);
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
    expect(env('send').SES_CONFIGURATION_SET).toEqual({ Ref: idOf(stack, stack.digests.configurationSet) });
    // ingest queues wait timers; the alert worker re-enqueues them, dead-letters and mails
    const alertUrl = { Ref: idOf(stack, stack.alerts.queue) };
    expect(env('ingest').ALERT_QUEUE_URL).toEqual(alertUrl);
    // alert emails go through the digests' configuration set, so their bounces and complaints reach digest-feedback
    expect(env('alerts')).toMatchObject({ ALERT_QUEUE_URL: alertUrl, ALERT_DLQ_URL: { Ref: idOf(stack, stack.alerts.dlq) }, SES_FROM: 'digests@shop.vn', SES_CONFIGURATION_SET: { Ref: idOf(stack, stack.digests.configurationSet) } });
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
    // the operator guide states the same time, since a revoked key keeps working that long
    expect(readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8')).toMatch(/revoked key stops working within 60 seconds/);
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(liveIds.authorizer);

    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    const table = Object.fromEntries(
      routes.map((r) => {
        const integrationId = (r.Properties.Target['Fn::Join'][1][1] as { Ref: string }).Ref;
        const uri = JSON.stringify(resources[integrationId]!.Properties.IntegrationUri);
        const fn = Object.entries(liveIds).find(([, id]) => uri.includes(id))?.[0];
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
      'GET /v1/shops/{shopId}/rejected-events': 'report shop-key',
      'POST /v1/shops/{shopId}/report-links': 'report shop-key',
      'GET /v1/shops/{shopId}/insights': 'report shop-key',
      'GET /v1/shops/{shopId}/waiting': 'report shop-key',
      'POST /v1/shops/{shopId}/waiting-links': 'report shop-key',
      // a signed report page carries its own signature, checked by the report function
      'GET /v1/report-pages/{shopId}/{report}': 'report none',
      'GET /v1/openapi.json': 'report none',
      'GET /v1/metrics': 'report none',
      'GET /v1/glossary': 'report none',
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
      'GET /v1/glossary': open,
      'GET /v1/report-pages/{shopId}/{report}': open,
      'GET /v1/shops/{shopId}/exports/conversations': reports,
      'GET /v1/shops/{shopId}/orders/{orderId}': reports,
      'GET /v1/shops/{shopId}/reports/{report}': reports,
      'GET /v1/shops/{shopId}/rejected-events': reports,
      'GET /v1/shops/{shopId}/waiting': reports,
      'GET /v1/unsubscribe': open,
      'GET /webhooks/meta': webhooks,
      'POST /v1/events': events,
      'POST /v1/shops/{shopId}/report-links': reports,
      'GET /v1/shops/{shopId}/insights': reports,
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

  it('sweeps open shop deletions and erasures every 5 minutes through the admin function, with a dead-letter queue', () => {
    const sweepDlq = { 'Fn::GetAtt': [idOf(stack, stack.reporting.sweepDlq), 'Arn'] };
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { Ref: liveIds.admin },
        Input: JSON.stringify({ sweep: 'lifecycle-jobs' }),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 },
        DeadLetterConfig: { Arn: sweepDlq },
      }),
    });
    // a sweep that fails Lambda's own retries of the asynchronous invocation lands in the same queue
    expect((template.toJSON().Resources[fnIds.admin!] as Resource).Properties.DeadLetterConfig).toEqual({ TargetArn: sweepDlq });
  });

  it('schedules the digest dispatcher hourly and verifies the sender with SES', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 * * * ? *)',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { Ref: liveIds.dispatch },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [idOf(stack, stack.digests.dispatchDlq), 'Arn'] } },
      }),
    });
    // a dispatch run that fails Lambda's own retries lands in the same dead-letter queue
    const dispatchFn = (template.toJSON().Resources[fnIds.dispatch!] as Resource).Properties;
    expect(dispatchFn.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [idOf(stack, stack.digests.dispatchDlq), 'Arn'] } });
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'digests@shop.vn', ConfigurationSetAttributes: { ConfigurationSetName: { Ref: idOf(stack, stack.digests.configurationSet) } } });
  });

  it('sends SES bounces and complaints of the digests to digest-feedback, with a dead-letter queue', () => {
    const configSet = { Ref: idOf(stack, stack.digests.configurationSet) };
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { ReputationOptions: { ReputationMetricsEnabled: true } });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: configSet,
      EventDestination: Match.objectLike({ Enabled: true, MatchingEventTypes: ['bounce', 'complaint'], EventBridgeDestination: Match.anyValue() }),
    });
    const feedbackDlq = { 'Fn::GetAtt': [idOf(stack, stack.digests.feedbackDlq), 'Arn'] };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ses'], 'detail-type': ['Email Bounced', 'Email Complaint Received'], detail: { mail: { tags: { 'ses:configuration-set': [configSet] } } } },
      Targets: [Match.objectLike({ Arn: { Ref: liveIds.feedback }, DeadLetterConfig: { Arn: feedbackDlq }, RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }) })],
    });
    expect((template.toJSON().Resources[fnIds.feedback!] as Resource).Properties.DeadLetterConfig).toEqual({ TargetArn: feedbackDlq });
  });

  it('alarms on rates over several periods, silence, the API, business metrics, DynamoDB and SES reputation; every alarm to the subscribed topic', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;
    const all = Object.values(alarms);
    const byId = (c: Construct) => alarms[idOf(stack, c)]!.Properties;
    const obs = stack.observability.node;
    const alarm = (name: string) => byId(obs.findChild(name));
    /** the metric a math alarm reads under `id` */
    const stat = (a: Record<string, any>, id: string) => (a.Metrics as Array<Record<string, any>>).find((m) => m.Id === id)?.MetricStat;
    const expression = (a: Record<string, any>) => (a.Metrics as Array<Record<string, any>>).find((m) => m.ReturnData !== false)?.Expression as string;

    // dead letters: any message at all, in each of the six dead-letter queues
    for (const [name, q] of [['Ingest', stack.ingestion.dlq], ['Digest', stack.digests.dlq], ['DigestDispatch', stack.digests.dispatchDlq], ['DigestFeedback', stack.digests.feedbackDlq], ['Alert', stack.alerts.dlq], ['LifecycleSweep', stack.reporting.sweepDlq]] as const) {
      const a = alarm(`${name}DlqDepth`);
      expect(a, name).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      expect(JSON.stringify(a.Dimensions)).toContain(idOf(stack, q));
    }
    // every function: error and throttle *rates*, 3 of 5 five-minute periods, never a single error
    const names: Record<string, string> = { webhook: 'Webhook', events: 'Events', report: 'Report', admin: 'Admin', authorizer: 'Authorizer', ingest: 'Ingest', dispatch: 'DigestDispatch', send: 'DigestSend', feedback: 'DigestFeedback', alerts: 'Alerts' };
    for (const [k, name] of Object.entries(names)) {
      const errors = alarm(`${name}ErrorRate`);
      expect(errors, name).toMatchObject({ Threshold: 5, EvaluationPeriods: 5, DatapointsToAlarm: 3, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
      expect(expression(errors)).toBe('IF(i > 0, 100 * e / i, 0)');
      expect(stat(errors, 'e')).toMatchObject({ Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnIds[k] } }] }, Period: 300, Stat: 'Sum' });
      expect(stat(errors, 'i')).toMatchObject({ Metric: { MetricName: 'Invocations' }, Stat: 'Sum' });
      const throttles = alarm(`${name}ThrottleRate`);
      expect(throttles, name).toMatchObject({ Threshold: 1, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
      expect(stat(throttles, 't')).toMatchObject({ Metric: { MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnIds[k] } }] } });
    }
    // no alarm left that fires on one datapoint of a plain error count
    expect(all.filter((a) => a.Properties.MetricName === 'Errors')).toEqual([]);

    // API: 5xx rate and p99 latency
    const apiId = { Ref: idOf(stack, stack.reporting.api) };
    const api5xx = alarm('Api5xxRate');
    expect(api5xx).toMatchObject({ Threshold: 1, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    expect(stat(api5xx, 'f')).toMatchObject({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: apiId }] }, Stat: 'Sum' });
    expect(stat(api5xx, 'n')).toMatchObject({ Metric: { MetricName: 'Count', Dimensions: [{ Name: 'ApiId', Value: apiId }] } });
    expect(alarm('ApiLatencyP99')).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: 3000, EvaluationPeriods: 5, DatapointsToAlarm: 3 });

    // lag
    const age = alarm('IngestQueueAge');
    expect(age).toMatchObject({ MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 300, DatapointsToAlarm: 3, EvaluationPeriods: 5 });
    expect(JSON.stringify(age.Dimensions)).toContain(idOf(stack, stack.ingestion.queue));

    // SLA alerts: the alert DLQ (above), the worker's rates (above), and groups sent more than 60 s after their minute
    expect(alarm('AlertsLate')).toMatchObject({ Namespace: 'chatpulse', MetricName: 'AlertFlushLateSeconds', Dimensions: [{ Name: 'service', Value: 'chatpulse' }], Statistic: 'Maximum', Period: 60, Threshold: 60, DatapointsToAlarm: 3, EvaluationPeriods: 5 });
    expect(readFileSync(new URL('../../lib/alerts/deliver.ts', import.meta.url), 'utf8')).toContain("metric('AlertFlushLateSeconds'");

    // business metrics: the totals lib/log.ts metricWithTotal publishes (service dimension alone)
    const total = { Namespace: 'chatpulse', Dimensions: [{ Name: 'service', Value: 'chatpulse' }], Statistic: 'Sum', Threshold: 0 };
    expect(alarm('DigestsFailedPermanently')).toMatchObject({ ...total, MetricName: 'DigestsFailedPermanently', EvaluationPeriods: 1 });
    expect(alarm('EventsDropped')).toMatchObject({ ...total, MetricName: 'EventsDropped', DatapointsToAlarm: 3, EvaluationPeriods: 5 });
    expect(alarm('InvalidEvents')).toMatchObject({ ...total, MetricName: 'InvalidEvents', DatapointsToAlarm: 3, EvaluationPeriods: 5 });
    for (const name of ['DigestsFailedPermanently', 'EventsDropped', 'InvalidEvents', 'WebhookEvents', 'DigestsSent'])
      expect(readFileSync(new URL('../../lib/log.ts', import.meta.url), 'utf8') + readFileSync(new URL(`../../lib/${name.startsWith('Digest') ? 'digests/send' : name === 'EventsDropped' ? 'ingest/consume' : 'webhooks/receive'}.ts`, import.meta.url), 'utf8'), name).toContain(`metricWithTotal('${name}'`);

    // DynamoDB throttles, reads and writes
    const throttled = alarm('TableThrottles');
    expect(stat(throttled, 'r')).toMatchObject({ Metric: { Namespace: 'AWS/DynamoDB', MetricName: 'ReadThrottleEvents', Dimensions: [{ Name: 'TableName', Value: { Ref: idOf(stack, stack.storage.table) } }] } });
    expect(stat(throttled, 'w')).toMatchObject({ Metric: { MetricName: 'WriteThrottleEvents' } });

    // silence while shops exist: 6 hours without a webhook event, 26 hours without a digest
    const silence = (name: string, metric: string, hours: number) => {
      const a = alarm(name);
      expect(a, name).toMatchObject({ Threshold: 0, EvaluationPeriods: hours, DatapointsToAlarm: hours });
      expect(expression(a)).toBe('IF(FILL(s, 0) > 0 AND FILL(x, 0) == 0, 1, 0)');
      expect(stat(a, 's')).toMatchObject({ Metric: { Namespace: 'chatpulse', MetricName: 'ShopsConfigured' }, Period: 3600 });
      expect(stat(a, 'x')).toMatchObject({ Metric: { Namespace: 'chatpulse', MetricName: metric, Dimensions: [{ Name: 'service', Value: 'chatpulse' }] }, Period: 3600, Stat: 'Sum' });
    };
    silence('NoWebhookEvents', 'WebhookEvents', 6);
    silence('NoDigestSent', 'DigestsSent', 26);

    // SES reputation of the configuration set, below the 5 % / 0.1 % at which SES reviews an account
    const sesDims = [{ Name: 'ses:configuration-set', Value: { Ref: idOf(stack, stack.digests.configurationSet) } }];
    expect(alarm('SesBounceRate')).toMatchObject({ Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate', Dimensions: sesDims, Threshold: 0.04 });
    expect(alarm('SesComplaintRate')).toMatchObject({ Namespace: 'AWS/SES', MetricName: 'Reputation.ComplaintRate', Dimensions: sesDims, Threshold: 0.0008 });
    expect(alarm('SesBounceRate').Threshold).toBeLessThan(0.05);
    expect(alarm('SesComplaintRate').Threshold).toBeLessThan(0.001);

    // every alarm (these and the canary alarms) notifies the topic, which has a subscriber with its own DLQ
    const topic = { Ref: idOf(stack, stack.observability.topic) };
    expect(all).toHaveLength(6 + 10 * 2 + 2 + 1 + 1 + 3 + 1 + 2 + 2 + 5);
    for (const a of all) {
      expect(a.Properties.AlarmActions).toEqual([topic]);
      expect(a.Properties.OKActions).toEqual([topic]);
    }
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@shop.vn',
      TopicArn: topic,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    for (const title of ['Traffic', 'Errors', 'Lag', 'Digests']) expect(body).toContain(title);
  });

  it('sets the retention an operator chose on every function, and refuses one the start-up rules refuse', () => {
    const fns = Object.values(prod.template.findResources('AWS::Lambda::Function')) as Resource[];
    expect(fns.length).toBe(Object.keys(fnIds).length);
    for (const fn of fns) expect(fn.Properties.Environment.Variables).toMatchObject({ PERSONAL_DATA_DAYS: '365', RAW_EVENT_TTL_DAYS: '200' });
    // without the context, the functions take the documented defaults (730 and 400) from lib/config.ts
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as Resource[]) {
      expect(fn.Properties.Environment.Variables.PERSONAL_DATA_DAYS).toBeUndefined();
      expect(fn.Properties.Environment.Variables.RAW_EVENT_TTL_DAYS).toBeUndefined();
    }
    expect(() => synth({ personalDataDays: '30' })).toThrow(/PERSONAL_DATA_DAYS: must be at least 90 days/);
    expect(() => synth({ personalDataDays: '180' })).toThrow(/RAW_EVENT_TTL_DAYS: must not be more than PERSONAL_DATA_DAYS/);
    expect(() => synth({ rawEventDays: 'a year' })).toThrow(/context rawEventDays must be a whole number of days, got a year/);
  });

  it('refuses a prod stack without an alarm subscriber', () => {
    expect(() => synth({ stage: 'prod', alarmEmail: '' })).toThrow(/prod stack needs an alarm subscriber: deploy with -c alarmEmail=/);
  });

  it('publishes every function as a version behind a live alias, and rolls the API functions out as a canary with rollback on alarm', () => {
    const resources = template.toJSON().Resources as Record<string, Resource>;
    for (const [k, id] of Object.entries(liveIds)) {
      const alias = resources[id]!;
      expect(alias.Type, k).toBe('AWS::Lambda::Alias');
      expect(alias.Properties, k).toMatchObject({ Name: 'live', FunctionName: { Ref: fnIds[k] }, FunctionVersion: { 'Fn::GetAtt': [expect.any(String), 'Version'] } });
      expect(resources[alias.Properties.FunctionVersion['Fn::GetAtt'][0]]!.Type).toBe('AWS::Lambda::Version');
    }
    const groups = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup')) as Resource[];
    expect(groups).toHaveLength(5);
    const api = ['webhook', 'events', 'report', 'admin', 'authorizer'];
    for (const k of api) {
      const alias = resources[liveIds[k]!] as Resource & { UpdatePolicy?: any };
      // CloudFormation hands the alias's move to the deployment group
      expect(alias.UpdatePolicy?.CodeDeployLambdaAliasUpdate, k).toMatchObject({ DeploymentGroupName: { Ref: expect.any(String) } });
      const groupId = alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.DeploymentGroupName.Ref as string;
      const group = resources[groupId]!.Properties;
      expect(group.DeploymentConfigName, k).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
      expect(group.AutoRollbackConfiguration, k).toEqual({ Enabled: true, Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']) });
      expect(group.AlarmConfiguration.Enabled, k).toBe(true);
      const [alarmRef] = group.AlarmConfiguration.Alarms as Array<{ Name: { Ref: string } }>;
      const alarm = resources[alarmRef!.Name.Ref]!.Properties;
      // the alarm watches the live alias (the new version's traffic), per minute
      const e = (alarm.Metrics as Array<Record<string, any>>).find((m) => m.Id === 'e')!.MetricStat;
      expect(e.Metric.Dimensions).toEqual(expect.arrayContaining([{ Name: 'Resource', Value: expect.anything() }, { Name: 'FunctionName', Value: { Ref: fnIds[k] } }]));
      expect(e.Period).toBe(60);
      expect(alarm).toMatchObject({ Threshold: 5, EvaluationPeriods: 2, DatapointsToAlarm: 2 });
    }
    // the workers switch at once (their inputs wait in queues)
    for (const k of ['ingest', 'dispatch', 'send', 'feedback', 'alerts']) expect((resources[liveIds[k]!] as Resource & { UpdatePolicy?: unknown }).UpdatePolicy, k).toBeUndefined();
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
    // events and report: UpdateItem of their per-shop request counters only (RATE#, see the LeadingKeys test)
    expect(dynamo('events')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(dynamo('report')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(dynamo('dispatch')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']); // ledger items only (LeadingKeys test)
    expect(dynamo('feedback')).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(dynamo('ingest')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(dynamo('send')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    // Scan: shop deletion and erasure (lifecycle); UpdateItem: the shop's report-link generation (revocation)
    expect(dynamo('admin')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:UpdateItem']);
    expect(dynamo('alerts')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);

    const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'];
    expect(dynamo('webhook').filter((a) => writes.includes(a)), 'webhook').toEqual([]);
    // no wildcard action and no table management anywhere
    for (const [name, id] of Object.entries(fnIds)) {
      for (const a of actionsOf(template, id)) expect(a.endsWith('*') && !a.startsWith('xray:') ? a : '', name).toBe('');
      // Scan only for admin: shop deletion and erasure find a shop's items across its many partitions
      expect(actionsOf(template, id).filter((a) => /Table|Stream|Export|Restore/.test(a) || (a === 'dynamodb:Scan' && name !== 'admin')), name).toEqual([]);
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
    // feedback sends only to its own dead-letter queue (Lambda's DLQ for failed asynchronous invocations); ingest queues wait timers
    for (const k of ['webhook', 'events', 'admin', 'dispatch', 'send', 'feedback', 'ingest', 'alerts']) expect(sqsSend(k), k).toEqual(['sqs:SendMessage']);
    for (const k of ['report', 'authorizer']) expect(sqsSend(k), k).toEqual([]);
    for (const [name, id] of Object.entries(fnIds)) {
      const ses = only(actionsOf(template, id), 'ses:');
      expect(ses, name).toEqual(name === 'send' || name === 'alerts' ? ['ses:SendEmail', 'ses:SendRawEmail'] : []);
    }
    // the alert worker may send through the configuration set it is told to use (SES checks both resources)
    const alertSes = statementsOf(template, fnIds.alerts!).filter((st) => actionList(st).includes('ses:SendEmail'));
    expect(alertSes).toHaveLength(1);
    const resources = (alertSes[0]!.Resource as unknown[]).map((r) => JSON.stringify(r));
    expect(resources.some((r) => r.includes(':configuration-set/') && r.includes(`{"Ref":"${idOf(stack, stack.digests.configurationSet)}"}`)), resources.join('\n')).toBe(true);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['ses:SendEmail', 'ses:SendRawEmail'],
            Resource: [
              Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':identity/$'), { Ref: idOf(stack, stack.node.findChild('Digests').node.findChild('Sender')) }])] }),
              Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':configuration-set/$'), { Ref: idOf(stack, stack.digests.configurationSet) }])] }),
            ],
          }),
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
    for (const name of ['events', 'authorizer', 'ingest', 'send', 'feedback', 'alerts']) expect(secretsOf(name), name).toEqual([]);
    for (const [name, id] of Object.entries(fnIds)) {
      const sm = only(actionsOf(template, id), 'secretsmanager:');
      expect(sm, name).toEqual(['webhook', 'admin', 'dispatch', 'report'].includes(name) ? ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] : []);
    }
  });

  it('limits the table writes of every function to the key prefixes it owns (dynamodb:LeadingKeys)', () => {
    const writes = (name: string) =>
      statementsOf(template, fnIds[name]!)
        .filter((st) => actionList(st).some((a) => DYNAMO_WRITES.includes(a)))
        .map((st) => ({ actions: actionList(st).filter((a) => DYNAMO_WRITES.includes(a)).sort(), leadingKeys: st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] }));
    expect(writes('ingest')).toEqual([{ actions: ['dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], leadingKeys: ['SHOP#*'] }]);
    expect(writes('send')).toEqual([{ actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], leadingKeys: ['DIGEST#*'] }]);
    expect(writes('authorizer')).toEqual([{ actions: ['dynamodb:UpdateItem'], leadingKeys: ['APIKEY#*'] }]);
    expect(writes('events')).toEqual([{ actions: ['dynamodb:UpdateItem'], leadingKeys: ['RATE#*'] }]);
    expect(writes('report')).toEqual([{ actions: ['dynamodb:UpdateItem'], leadingKeys: ['RATE#*'] }]);
    expect(writes('admin')).toEqual([
      { actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], leadingKeys: ['SHOP#*', 'SHOPS*', 'PAGE#*', 'APIKEY#*', 'JOB#*', 'JOBS#*', 'DIGEST#*', 'ALERT#*'] },
      // shop deletion's batches mix a shop's partitions: one statement holds them all (a batch returns no item)
      { actions: ['dynamodb:BatchWriteItem'], leadingKeys: ['SHOP#*', 'SHOPS*', 'PAGE#*', 'APIKEY#*', 'JOB#*', 'JOBS#*', 'DIGEST#*', 'ALERT#*', 'ORDERHOOK#*'] },
      { actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem'], leadingKeys: ['ORDERHOOK#*'] },
    ]);
    // … and a put of an order secret cannot hand the old one back (ReturnValues NONE only)
    const secretPut = statementsOf(template, fnIds.admin!).find((st) => JSON.stringify(st.Condition ?? {}).includes('ORDERHOOK#*') && actionList(st).includes('dynamodb:PutItem'));
    expect(secretPut?.Condition?.StringEqualsIfExists).toEqual({ 'dynamodb:ReturnValues': 'NONE' });
    expect(writes('dispatch')).toEqual([{ actions: ['dynamodb:UpdateItem'], leadingKeys: ['DIGEST#*'] }]);
    expect(writes('feedback')).toEqual([{ actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], leadingKeys: ['SHOP#*', 'DIGEST#*'] }]);
    expect(writes('alerts')).toEqual([{ actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], leadingKeys: ['ALERT#*'] }]);
    expect(writes('webhook')).toEqual([]);
  });

  it('limits every read of every function to the key prefixes it uses (LeadingKeys on reads too): only the webhook reads order secrets', () => {
    const READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
    const reads = (name: string) =>
      statementsOf(template, fnIds[name]!)
        .filter((st) => actionList(st).some((a) => READS.includes(a)))
        .map((st) => ({
          index: JSON.stringify(st.Resource).includes('/index/'),
          actions: actionList(st).filter((a) => READS.includes(a)).sort(),
          leadingKeys: st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'],
        }));
    // every read statement of every function carries a LeadingKeys condition
    for (const name of Object.keys(fnIds)) for (const r of reads(name)) expect(r.leadingKeys, name).toBeDefined();
    const table = (actions: string[], leadingKeys: string[]) => ({ index: false, actions, leadingKeys });
    const gsi = (leadingKeys: string[]) => ({ index: true, actions: ['dynamodb:Query'], leadingKeys });
    expect(reads('webhook')).toEqual([table(['dynamodb:BatchGetItem', 'dynamodb:GetItem'], ['PAGE#*', 'SHOP#*', 'ORDERHOOK#*'])]);
    expect(reads('events')).toEqual([table(['dynamodb:BatchGetItem', 'dynamodb:GetItem'], ['SHOP#*'])]);
    expect(reads('report')).toEqual([table(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'], ['SHOP#*']), gsi(['WAIT#*']), gsi(['REJECTED#*'])]); // open waits on OpenWaits, rejected events on GSI1
    expect(reads('authorizer')).toEqual([table(['dynamodb:GetItem'], ['APIKEY#*'])]);
    expect(reads('admin')).toEqual([table(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'], ['SHOP#*', 'SHOPS*', 'PAGE#*', 'APIKEY#*', 'JOB#*', 'JOBS#*', 'DIGEST#*', 'ALERT#*']), gsi(['APIKEYS#*'])]);
    expect(reads('alerts')).toEqual([table(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'], ['SHOP#*', 'ALERT#*'])]);
    expect(reads('ingest')).toEqual([table(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'], ['SHOP#*'])]);
    expect(reads('dispatch')).toEqual([table(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'], ['SHOPS*', 'SHOP#*', 'DIGEST#*'])]);
    expect(reads('feedback')).toEqual([]);
    expect(reads('send')).toEqual([table(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'], ['SHOP#*', 'DIGEST#*']), gsi(['WAIT#*'])]);
    // order webhook secrets: read by the webhook alone (the admin may only put them)
    for (const name of Object.keys(fnIds)) expect(reads(name).some((r) => r.leadingKeys?.includes('ORDERHOOK#*')), name).toBe(name === 'webhook');
    // the prefixes are those lib/store/keys.ts builds keys with
    expect(keys.orderWebhookSecret('s', 'shopify').PK.startsWith('ORDERHOOK#')).toBe(true);
    expect(keys.rateCounter('s', 'events', 1).PK.startsWith('RATE#')).toBe(true);
    expect(keys.shopDirectory('s').PK).toBe('SHOPS');
  });

  it('lets the alert worker, shop deletion, erasure and the alert status reach alert items, whatever LeadingKeys conditions the grants carry', () => {
    /** Whether some statement of the function allows `action` on an item whose partition key is `pk` (no condition: any key). */
    const allows = (name: string, action: string, pk: string) =>
      statementsOf(template, fnIds[name]!).some((st) => {
        if (!actionList(st).includes(action)) return false;
        const patterns = st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
        return patterns === undefined || patterns.some((p) => new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(pk));
      });
    const marker = keys.alertMarker('s-1', 'p', 'c', '2026-11-20T03:00:00.000Z', 'warning').PK;
    const groups = keys.alertGroupPartition('s-1');
    const needed: Array<[string, string, string]> = [
      // the worker: the shop and the conversation it checks, its markers and groups
      ['alerts', 'dynamodb:GetItem', keys.shopConfig('s-1').PK],
      ['alerts', 'dynamodb:BatchGetItem', keys.customer('s-1', 'p', 'c').PK],
      ['alerts', 'dynamodb:PutItem', marker],
      ['alerts', 'dynamodb:GetItem', marker],
      ['alerts', 'dynamodb:UpdateItem', groups],
      ['alerts', 'dynamodb:Query', groups],
      // admin: the delivery status (GET /v1/admin/shops/{shopId}/alerts), shop deletion (BatchWriteItem) and erasure (rewrites the marker's key)
      ['admin', 'dynamodb:Query', groups],
      ['admin', 'dynamodb:BatchWriteItem', marker],
      ['admin', 'dynamodb:PutItem', marker],
      ['admin', 'dynamodb:DeleteItem', marker],
    ];
    for (const [name, action, pk] of needed) expect(allows(name, action, pk), `${name} ${action} ${pk}`).toBe(true);
    // and the worker writes nothing else
    expect(allows('alerts', 'dynamodb:PutItem', keys.customer('s-1', 'p', 'c').PK)).toBe(false);
    expect(allows('alerts', 'dynamodb:UpdateItem', keys.shopConfig('s-1').PK)).toBe(false);
  });

  it("puts no secret value in the template, only the secrets' names", () => {
    for (const v of Object.values(TEST_SECRETS)) expect(json).not.toContain(v);
    for (const g of ['webhook', 'admin', 'unsubscribe']) expect(json).toContain(`chatpulse/test/${g}`);
    expect(json).not.toMatch(/SecretString|resolve:secretsmanager/);
  });

  it('is clean under cdk-nag AwsSolutions and Serverless, every acknowledgement with a reason and each one matching a finding', () => {
    // both stages synthesised with both packs as validation plugins (beforeAll): an unacknowledged finding throws there
    for (const [stage, app] of [['test', testApp], ['prod', prod.app]] as const) {
      for (const pack of [new AwsSolutionsChecks(app), new ServerlessChecks(app)]) {
        const report = pack.validateScope(app);
        const findings = report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
        expect(findings, `${stage} ${pack.readPackName}`).toEqual([]);
        expect(report.success).toBe(true);
      }
      const acknowledged = app.node.findAll().flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ at: `${c.node.path} ${id.replace(/^annotation::/i, '')}`, reason }))),
      );
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const a of acknowledged) expect(a.reason.length, a.at).toBeGreaterThan(30);
      // none that never matches: each acknowledgement silenced at least one finding
      expect(acknowledged.map((a) => a.at).filter((at) => !used.has(at)), stage).toEqual([]);
    }
  });

  it('keeps prod data: RETAIN and deletion protection; secret name follows the stage', () => {
    const { stack: prodStack, template: prodTemplate, json: prodJson } = prod;
    prodTemplate.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: Match.objectLike({ DeletionProtectionEnabled: true }) });
    prodTemplate.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@shop.vn' });
    expect(prodJson).toContain('chatpulse/prod');
    // AWS Backup: the table daily, each backup kept 35 days, in a vault kept when the stack goes
    prodTemplate.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ RuleName: 'Daily', ScheduleExpression: 'cron(0 19 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } })] },
    });
    prodTemplate.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
    prodTemplate.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [{ 'Fn::GetAtt': [idOf(prodStack, prodStack.storage.table), 'Arn'] }] }),
    });
    // other stages have point-in-time recovery only
    template.resourceCountIs('AWS::Backup::BackupPlan', 0);
  });

  // ten esbuild runs: ~60 s on an idle machine, ~300 s when the two cores are shared by many jobs
  it('bundles every function with the local esbuild (no Docker), #lib imports resolved and the SDK inside', { timeout: 600_000 }, () => {
    const app = new App({ context: { ...CONTEXT, stage: 'bundled' } });
    const { stack: bundled } = buildApp(app, { checks: false });
    const assembly = app.synth();
    const fns = Object.values(Template.fromStack(bundled).findResources('AWS::Lambda::Function')) as Resource[];
    expect(fns).toHaveLength(10);
    const assetDirs = fns.map((f) => path.join(assembly.directory, `asset.${String(f.Properties.Code.S3Key).replace(/\.zip$/, '')}`));
    expect(new Set(assetDirs).size).toBe(10);
    expect(assetDirs.filter((dir) => /import\(\s*["']#xlsx-writer["']\s*\)/.test(readFileSync(path.join(dir, 'index.mjs'), 'utf8')))).toHaveLength(1);
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
      // the xlsx writer likewise, beside the functions that can answer format=xlsx (the report function) and only there
      const xlsx = /import\(\s*["']#xlsx-writer["']\s*\)/.test(code);
      expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')), dir).toEqual({ type: 'module', imports: { '#tracer': './tracer.mjs', ...(xlsx ? { '#xlsx-writer': './xlsx-writer.mjs' } : {}) } });
      if (xlsx) expect(readFileSync(path.join(dir, 'xlsx-writer.mjs'), 'utf8'), dir).toContain('sheetViews');
      expect(code, dir).not.toContain('sheetViews'); // the writer's XML stays out of every bundle
      expect(readFileSync(path.join(dir, 'tracer.mjs'), 'utf8'), dir).toContain('captureAWSv3Client');
      expect(existsSync(path.join(dir, 'openapi.json')), dir).toBe(true); // served by the report function (lib/reports/openapi-served.ts)
    }
  });

  it('turns SDK tracing on only when asked (-c tracing=sdk), and refuses other values', { timeout: 180_000 }, () => {
    const tracingOf = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function') as Record<string, Resource>).map((f) => f.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED);
    expect(new Set(tracingOf(template))).toEqual(new Set(['false']));
    expect(new Set(tracingOf(synth({ tracing: 'sdk' }).template))).toEqual(new Set(['true']));
    expect(() => synth({ tracing: 'yes' })).toThrow(/context tracing must be off or sdk, got yes/);
  });
});
