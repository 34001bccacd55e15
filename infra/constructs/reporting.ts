import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnRoute, CfnStage, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { ChatpulseFunction } from './chatpulse-function.ts';
import { grantTableAccess, TABLE_ACCESS } from '../least-privilege.ts';
import { asyncDeadLetterQueue } from './queues.ts';
import { SWEEP_EVENT } from '../../lib/lifecycle/schema.ts';
import type { SecretGroup } from '../../lib/secrets.ts';

/** Default limits of a route that belongs to no group below (API Gateway applies them to each route). */
export const API_THROTTLE = { rateLimit: 200, burstLimit: 500 };

/**
 * Each route group has its own limits (HTTP API stage route settings, set
 * on every route) instead of one limit for the whole stage, so a flood on
 * one group does not use up another's. Webhooks get API Gateway's account defaults (10,000 requests/s,
 * burst 5,000: SPEC §2, nothing caps all shops below the account rate); shop
 * events are batches of up to 500; reports cost Lambda seconds; admin is for
 * operators and makes guessing the admin token slow.
 */
export const ROUTE_THROTTLES = {
  webhooks: { rateLimit: 10_000, burstLimit: 5_000 },
  events: { rateLimit: 1_000, burstLimit: 2_000 },
  reports: { rateLimit: 100, burstLimit: 200 },
  admin: { rateLimit: 10, burstLimit: 20 },
  public: { rateLimit: 20, burstLimit: 50 },
} as const;
export type RouteGroup = keyof typeof ROUTE_THROTTLES;

/** How long API Gateway caches the authorizer's answer for one Authorization header: a revoked key works at most this long. */
export const AUTHORIZER_CACHE_TTL = Duration.seconds(60);

export type ReportingProps = {
  table: Table;
  /** the secrets by group (lib/secrets.ts SECRET_GROUPS); each function gets only the ones it uses */
  secrets: Record<SecretGroup, ISecret>;
  ingestQueue: Queue;
  digestQueue: Queue;
  /** environment every function gets (TABLE_NAME …) */
  env: Record<string, string>;
};

/**
 * The HTTP API and the functions behind it: public webhook routes (each
 * verifies its platform's signature itself), shop-key routes behind a Lambda
 * authorizer (events, reports), and admin routes that check the admin token
 * themselves. `$default` stage with throttling and JSON access logs.
 */
export class Reporting extends Construct {
  readonly api: HttpApi;
  readonly webhook: ChatpulseFunction;
  readonly events: ChatpulseFunction;
  readonly report: ChatpulseFunction;
  readonly admin: ChatpulseFunction;
  /** the admin function's 5-minute sweep of open lifecycle jobs, and its dead-letter queue */
  readonly sweep: Schedule;
  readonly sweepDlq: Queue;
  readonly authorizer: ChatpulseFunction;

  constructor(scope: Construct, id: string, props: ReportingProps) {
    super(scope, id);
    const { table, secrets, ingestQueue, digestQueue } = props;
    // Only the secrets' names reach the template; lib/secrets.ts reads the values at cold start.
    const withSecrets = (fn: ChatpulseFunction, groups: SecretGroup[]) => {
      fn.addEnvironment('SECRET_ARNS', groups.map((g) => secrets[g].secretName).join(','));
      for (const g of groups) secrets[g].grantRead(fn);
    };

    // Webhooks: page → shop lookups, each shop's order webhook secret and product costs (GetItem/BatchGetItem),
    // then the ingest queue. Holds the platform secrets only (never ADMIN_TOKEN).
    this.webhook = new ChatpulseFunction(this, 'Webhook', {
      name: 'webhook',
      environment: { ...props.env, INGEST_QUEUE_URL: ingestQueue.queueUrl },
      timeout: Duration.seconds(10),
    });
    grantTableAccess(table, this.webhook, TABLE_ACCESS.webhook);
    ingestQueue.grantSendMessages(this.webhook);
    withSecrets(this.webhook, ['webhook']);

    // Canonical events: the shop and its pages, then the ingest queue. No secrets (the authorizer checked the key).
    this.events = new ChatpulseFunction(this, 'Events', {
      name: 'events',
      environment: { ...props.env, INGEST_QUEUE_URL: ingestQueue.queueUrl },
      timeout: Duration.seconds(10),
    });
    grantTableAccess(table, this.events, TABLE_ACCESS.events);
    ingestQueue.grantSendMessages(this.events);

    // Reports: read-only on the table and its GSI (open waits).
    this.report = new ChatpulseFunction(this, 'Report', { name: 'report', environment: props.env, timeout: Duration.seconds(29), memorySize: 1024 });
    grantTableAccess(table, this.report, TABLE_ACCESS.report);
    // REPORT_LINK_KEY: signs report links and checks them when a manager opens one
    withSecrets(this.report, ['links']);

    // Admin: shops (put, and delete of page references a shop gave up), API keys (put, list on
    // GSI1, delete), rebuild (BatchWriteItem of rollups), digest runs onto the digest queue (their
    // links signed, as the dispatcher's), unsubscribe links (verifies their signature). Holds
    // ADMIN_TOKEN, UNSUBSCRIBE_SIGNING_KEY and REPORT_LINK_KEY.
    // its asynchronous invocations (the sweep below) that fail Lambda's own retries land in the sweep's dead-letter queue
    this.sweepDlq = asyncDeadLetterQueue(this, 'LifecycleSweepDlq');
    this.admin = new ChatpulseFunction(this, 'Admin', {
      name: 'admin',
      environment: { ...props.env, DIGEST_QUEUE_URL: digestQueue.queueUrl },
      timeout: Duration.seconds(29),
      memorySize: 1024,
      deadLetterQueue: this.sweepDlq,
    });
    // Scan: shop deletion and one person's erasure find a shop's items, which live in many partitions (lib/store/shop-items.ts)
    grantTableAccess(table, this.admin, TABLE_ACCESS.admin);
    digestQueue.grantSendMessages(this.admin);
    withSecrets(this.admin, ['admin', 'unsubscribe', 'links']);
    // Every 5 minutes the admin function carries on with open shop deletions and erasures (lib/lifecycle/status.ts),
    // so they finish without anyone reading their status; a missed or failed run changes nothing the next one does
    // not catch up on (steps are idempotent). Deliveries that fail every retry land in the DLQ (alarmed).
    this.sweep = new Schedule(this, 'LifecycleSweep', {
      schedule: ScheduleExpression.rate(Duration.minutes(5)),
      target: new LambdaInvoke(this.admin.live, {
        input: ScheduleTargetInput.fromObject(SWEEP_EVENT),
        retryAttempts: 2,
        maxEventAge: Duration.minutes(10),
        deadLetterQueue: this.sweepDlq,
      }),
      description: 'chatpulse: carry on with open shop deletions and erasures',
    });

    // Authorizer: one GetItem of the hashed key (APIKEY#…) and, at most hourly per key, an
    // UpdateItem of its last use, on API key items only. No secret.
    this.authorizer = new ChatpulseFunction(this, 'Authorizer', { name: 'authorizer', environment: props.env, timeout: Duration.seconds(5) });
    grantTableAccess(table, this.authorizer, TABLE_ACCESS.authorizer);
    const shopKey = new HttpLambdaAuthorizer('ShopKey', this.authorizer.live, {
      responseTypes: [HttpLambdaResponseType.SIMPLE], // payload format 2.0, {isAuthorized, context}
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: AUTHORIZER_CACHE_TTL,
    });

    this.api = new HttpApi(this, 'HttpApi', { description: 'chatpulse webhooks, events, reports and admin', createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });

    const integrations = new Map<ChatpulseFunction, HttpLambdaIntegration>();
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    const cfnStage = stage.node.defaultChild as CfnStage;
    const route = (group: RouteGroup, path: string, methods: HttpMethod[], fn: ChatpulseFunction, authorizer?: IHttpRouteAuthorizer) => {
      // routes invoke the `live` alias, which a deployment group moves to a new version gradually (infra/constructs/deployments.ts)
      if (!integrations.has(fn)) integrations.set(fn, new HttpLambdaIntegration(`${fn.node.id}Integration`, fn.live));
      const routes = this.api.addRoutes({ path, methods, integration: integrations.get(fn)!, ...(authorizer ? { authorizer } : {}) });
      const limits = ROUTE_THROTTLES[group];
      for (const m of methods) routeSettings[`${m} ${path}`] = { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit };
      // route settings name routes by key: the stage must be updated after they exist
      for (const r of routes) cfnStage.addDependency(r.node.defaultChild as CfnRoute);
      return routes;
    };
    const shopKeyRoutes = [
      route('events', '/v1/events', [HttpMethod.POST], this.events, shopKey),
      route('reports', '/v1/shops/{shopId}/reports/{report}', [HttpMethod.GET], this.report, shopKey),
      route('reports', '/v1/shops/{shopId}/orders/{orderId}', [HttpMethod.GET], this.report, shopKey),
      route('reports', '/v1/shops/{shopId}/exports/conversations', [HttpMethod.GET], this.report, shopKey),
      route('reports', '/v1/shops/{shopId}/rejected-events', [HttpMethod.GET], this.report, shopKey),
      route('reports', '/v1/shops/{shopId}/report-links', [HttpMethod.POST], this.report, shopKey),
      route('reports', '/v1/shops/{shopId}/insights', [HttpMethod.GET], this.report, shopKey),
      // the live waiting list (SPEC §4.4) and its signed page links; the page opens through /v1/report-pages/{shopId}/waiting
      route('reports', '/v1/shops/{shopId}/waiting', [HttpMethod.GET], this.report, shopKey),
      route('reports', '/v1/shops/{shopId}/waiting-links', [HttpMethod.POST], this.report, shopKey),
    ];
    // (AwsSolutions-COG4 applies to REST API methods only: the HTTP API's routes need no acknowledgement for it)
    void shopKeyRoutes;
    const publicRoutes = [
      route('public', '/healthz', [HttpMethod.GET], this.webhook),
      route('webhooks', '/webhooks/meta', [HttpMethod.GET, HttpMethod.POST], this.webhook),
      route('webhooks', '/webhooks/zalo', [HttpMethod.POST], this.webhook),
      route('webhooks', '/webhooks/orders/{platform}/{shopId}', [HttpMethod.POST], this.webhook),
      route('public', '/v1/openapi.json', [HttpMethod.GET], this.report),
      route('public', '/v1/metrics', [HttpMethod.GET], this.report),
      route('public', '/v1/glossary', [HttpMethod.GET], this.report),
      // signed report pages carry their own signature instead of a shop key
      route('public', '/v1/report-pages/{shopId}/{report}', [HttpMethod.GET], this.report),
      route('admin', '/v1/admin/{proxy+}', [HttpMethod.ANY], this.admin),
      // signed one-click unsubscribe links in the digests (List-Unsubscribe), served by the admin function
      route('public', '/v1/unsubscribe', [HttpMethod.GET, HttpMethod.POST], this.admin),
    ];
    cfnStage.routeSettings = routeSettings;
    for (const r of publicRoutes.flat()) {
      Validations.of(r).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'No API Gateway authorizer by design: webhooks carry their platform HMAC signature, admin routes the admin token, unsubscribe links their own HMAC, all verified in the function; /healthz, /v1/openapi.json, /v1/metrics and /v1/glossary are public.',
      });
    }
  }

  get functions(): ChatpulseFunction[] {
    return [this.webhook, this.events, this.report, this.admin, this.authorizer];
  }
}
