import { Duration, Validations } from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ChatpulseFunction } from './chatpulse-function.ts';

/**
 * The HTTP API: public webhook routes (each verifies its platform's signature
 * itself), shop-key routes behind a Lambda authorizer, admin routes that
 * check the admin token themselves.
 */
export class Api extends Construct {
  readonly api: HttpApi;
  readonly functions: ChatpulseFunction[];

  constructor(scope: Construct, id: string, props: { table: Table; secret: ISecret; ingestQueue: Queue; digestQueue: Queue; env: Record<string, string> }) {
    super(scope, id);
    const { table, secret } = props;
    const withSecret = { ...props.env, SECRET_ARN: secret.secretName };

    const webhook = new ChatpulseFunction(this, 'Webhook', { name: 'webhook', environment: { ...withSecret, INGEST_QUEUE_URL: props.ingestQueue.queueUrl } });
    table.grant(webhook, 'dynamodb:GetItem', 'dynamodb:BatchGetItem');
    props.ingestQueue.grantSendMessages(webhook);
    secret.grantRead(webhook);

    const events = new ChatpulseFunction(this, 'Events', { name: 'events', environment: { ...props.env, INGEST_QUEUE_URL: props.ingestQueue.queueUrl } });
    table.grant(events, 'dynamodb:GetItem', 'dynamodb:BatchGetItem');
    props.ingestQueue.grantSendMessages(events);

    const report = new ChatpulseFunction(this, 'Report', { name: 'report', environment: props.env, timeout: Duration.seconds(29), memorySize: 1024 });
    table.grant(report, 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query');

    const admin = new ChatpulseFunction(this, 'Admin', { name: 'admin', environment: { ...withSecret, DIGEST_QUEUE_URL: props.digestQueue.queueUrl }, timeout: Duration.seconds(29), memorySize: 1024 });
    table.grant(admin, 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem');
    props.digestQueue.grantSendMessages(admin);
    secret.grantRead(admin);

    const authorizerFn = new ChatpulseFunction(this, 'Authorizer', { name: 'authorizer', environment: props.env, timeout: Duration.seconds(5) });
    table.grant(authorizerFn, 'dynamodb:GetItem');
    const shopKey: IHttpRouteAuthorizer = new HttpLambdaAuthorizer('ShopKey', authorizerFn, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.minutes(5),
    });

    this.api = new HttpApi(this, 'HttpApi', { description: 'chatpulse webhooks, events, reports and admin' });
    const route = (path: string, methods: HttpMethod[], fn: ChatpulseFunction, authorizer?: IHttpRouteAuthorizer) =>
      this.api.addRoutes({ path, methods, integration: new HttpLambdaIntegration(`${fn.node.id}${path.replace(/\W+/g, '')}${methods.join('')}`, fn), ...(authorizer ? { authorizer } : {}) });
    const publicRoutes = [
      route('/healthz', [HttpMethod.GET], webhook),
      route('/webhooks/meta', [HttpMethod.GET, HttpMethod.POST], webhook),
      route('/webhooks/zalo', [HttpMethod.POST], webhook),
      route('/webhooks/orders/{platform}', [HttpMethod.POST], webhook),
      route('/v1/openapi.json', [HttpMethod.GET], report),
      route('/v1/unsubscribe', [HttpMethod.GET, HttpMethod.POST], admin),
      route('/v1/admin/{proxy+}', [HttpMethod.ANY], admin),
    ];
    route('/v1/events', [HttpMethod.POST], events, shopKey);
    route('/v1/shops/{shopId}/reports/{report}', [HttpMethod.GET], report, shopKey);
    for (const routes of publicRoutes)
      for (const r of routes)
        Validations.of(r).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'Webhooks are authenticated by their platform HMAC signature, admin routes by the admin token, unsubscribe links by their own signature, all checked in the function; health and the OpenAPI document are public.',
        });
    Validations.of(this.api).acknowledge({ id: 'AwsSolutions-COG4', reason: 'Shops authenticate with API keys through a Lambda authorizer, not Cognito users.' });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    const stage = this.api.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', route: '$context.routeKey', status: '$context.status', latency: '$context.responseLatency', error: '$context.error.message' }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 500, throttlingRateLimit: 200 };
    this.functions = [webhook, events, report, admin, authorizerFn];
  }
}
