import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ChatpulseFunction } from './chatpulse-function.ts';

/** Stage-wide throttling defaults (per account and region API Gateway allows far more; this caps a runaway client). */
export const API_THROTTLE = { rateLimit: 200, burstLimit: 500 };

export type ReportingProps = {
  table: Table;
  secret: ISecret;
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
  readonly authorizer: ChatpulseFunction;

  constructor(scope: Construct, id: string, props: ReportingProps) {
    super(scope, id);
    const { table, secret, ingestQueue, digestQueue } = props;
    // Only the secret's name reaches the template; lib/secrets.ts reads the value at cold start.
    const withSecret = { ...props.env, SECRET_ARN: secret.secretName };

    // Webhooks: page → shop lookups, each shop's order webhook secret and product costs (GetItem/BatchGetItem),
    // then the ingest queue. Needs the platform secrets.
    this.webhook = new ChatpulseFunction(this, 'Webhook', {
      name: 'webhook',
      environment: { ...withSecret, INGEST_QUEUE_URL: ingestQueue.queueUrl },
      timeout: Duration.seconds(10),
    });
    table.grant(this.webhook, 'dynamodb:GetItem', 'dynamodb:BatchGetItem');
    ingestQueue.grantSendMessages(this.webhook);
    secret.grantRead(this.webhook);

    // Canonical events: the shop and its pages, then the ingest queue. No secrets (the authorizer checked the key).
    this.events = new ChatpulseFunction(this, 'Events', {
      name: 'events',
      environment: { ...props.env, INGEST_QUEUE_URL: ingestQueue.queueUrl },
      timeout: Duration.seconds(10),
    });
    table.grant(this.events, 'dynamodb:GetItem', 'dynamodb:BatchGetItem');
    ingestQueue.grantSendMessages(this.events);

    // Reports: read-only on the table and its GSI (open waits).
    this.report = new ChatpulseFunction(this, 'Report', { name: 'report', environment: props.env, timeout: Duration.seconds(29), memorySize: 1024 });
    table.grant(this.report, 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query');

    // Admin: shops (put, and delete of page references a shop gave up), API keys, rebuild
    // (BatchWriteItem of rollups), digest runs onto the digest queue, unsubscribe links.
    this.admin = new ChatpulseFunction(this, 'Admin', {
      name: 'admin',
      environment: { ...withSecret, DIGEST_QUEUE_URL: digestQueue.queueUrl },
      timeout: Duration.seconds(29),
      memorySize: 1024,
    });
    table.grant(this.admin, 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem');
    digestQueue.grantSendMessages(this.admin);
    secret.grantRead(this.admin);

    // Authorizer: one GetItem of the hashed key (APIKEY#…).
    this.authorizer = new ChatpulseFunction(this, 'Authorizer', { name: 'authorizer', environment: props.env, timeout: Duration.seconds(5) });
    table.grant(this.authorizer, 'dynamodb:GetItem');
    const shopKey = new HttpLambdaAuthorizer('ShopKey', this.authorizer, {
      responseTypes: [HttpLambdaResponseType.SIMPLE], // payload format 2.0, {isAuthorized, context}
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.minutes(5),
    });

    this.api = new HttpApi(this, 'HttpApi', { description: 'chatpulse webhooks, events, reports and admin', createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    new HttpStage(this, 'DefaultStage', {
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
    const route = (path: string, methods: HttpMethod[], fn: ChatpulseFunction, authorizer?: IHttpRouteAuthorizer) => {
      if (!integrations.has(fn)) integrations.set(fn, new HttpLambdaIntegration(`${fn.node.id}Integration`, fn));
      return this.api.addRoutes({ path, methods, integration: integrations.get(fn)!, ...(authorizer ? { authorizer } : {}) });
    };
    const shopKeyRoutes = [
      route('/v1/events', [HttpMethod.POST], this.events, shopKey),
      route('/v1/shops/{shopId}/reports/{report}', [HttpMethod.GET], this.report, shopKey),
      route('/v1/shops/{shopId}/orders/{orderId}', [HttpMethod.GET], this.report, shopKey),
      route('/v1/shops/{shopId}/exports/conversations', [HttpMethod.GET], this.report, shopKey),
    ];
    for (const r of shopKeyRoutes.flat())
      Validations.of(r).acknowledge({ id: 'AwsSolutions-COG4', reason: 'Shops authenticate with API keys checked by the Lambda authorizer; there are no Cognito users.' });
    const publicRoutes = [
      route('/healthz', [HttpMethod.GET], this.webhook),
      route('/webhooks/meta', [HttpMethod.GET, HttpMethod.POST], this.webhook),
      route('/webhooks/zalo', [HttpMethod.POST], this.webhook),
      route('/webhooks/orders/{platform}/{shopId}', [HttpMethod.POST], this.webhook),
      route('/v1/openapi.json', [HttpMethod.GET], this.report),
      route('/v1/metrics', [HttpMethod.GET], this.report),
      route('/v1/admin/{proxy+}', [HttpMethod.ANY], this.admin),
      // signed one-click unsubscribe links in the digests (List-Unsubscribe), served by the admin function
      route('/v1/unsubscribe', [HttpMethod.GET, HttpMethod.POST], this.admin),
    ];
    for (const r of publicRoutes.flat()) {
      Validations.of(r).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'No API Gateway authorizer by design: webhooks carry their platform HMAC signature, admin routes the admin token, unsubscribe links their own HMAC, all verified in the function; /healthz, /v1/openapi.json and /v1/metrics are public.',
      });
      Validations.of(r).acknowledge({ id: 'AwsSolutions-COG4', reason: 'Public route (see APIG4): callers are platforms and operators, not Cognito users.' });
    }
  }

  get functions(): ChatpulseFunction[] {
    return [this.webhook, this.events, this.report, this.admin, this.authorizer];
  }
}
