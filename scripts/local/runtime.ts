import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Context, SQSEvent } from 'aws-lambda';
import { ensureTable, startDynamoLocal, type LocalDynamo } from './dynamodb-local.ts';
import { LocalQueue, LocalQueues, sqsEventOf } from './queues.ts';
import { checkConfig, resetConfig } from '#lib/config.ts';
import { ALL_SETTINGS } from '#lib/startup.ts';
import { setDb } from '#lib/store/client.ts';
import { setQueues, type DigestJob, type IngestMessage } from '#lib/queue/queue.ts';
import { INGEST_BATCHING, ingestVisibilityTimeoutSeconds } from '#lib/queue/ingest-batching.ts';
import { forgetCachedShops } from '#lib/store/shops.ts';
import { setMailTransport } from '#lib/digests/transport.ts';
import { OutboxTransport } from '#lib/mail/outbox.ts';
import type { HttpEvent, HttpResult } from '#lib/http/types.ts';
import { isLoopbackHost } from '#lib/http/loopback.ts';
import { setAlertQueue, type AlertQueue } from '#lib/alerts/queue.ts';
import type { AlertMessage } from '#lib/alerts/messages.ts';
import { SWEEP_EVENT } from '#lib/lifecycle/schema.ts';

/**
 * The whole system on one machine: the real Lambda handlers behind an HTTP
 * server that builds API Gateway (HTTP API, payload 2.0) events, the shop-key
 * authorizer in front of the routes that need it, file-backed standard queues (batching window, concurrent pollers, redelivery, dead letters)
 * feeding `ingest` and `digest-send`, an hourly digest schedule, and
 * DynamoDB Local persisting to the data folder.
 */

/** Documented local defaults (docs/operations.md, "Settings and local secrets"). Never used in AWS. */
export const LOCAL_DEFAULTS: Record<string, string> = {
  TABLE_NAME: 'chatpulse-local',
  AWS_REGION: 'local',
  META_APP_SECRET: 'local-meta-app-secret',
  META_VERIFY_TOKEN: 'local-verify-token',
  ZALO_APP_ID: 'local-zalo-app',
  ZALO_OA_SECRET_KEY: 'local-zalo-oa-secret',
  ADMIN_TOKEN: 'local-admin-token-change-me',
  UNSUBSCRIBE_SIGNING_KEY: 'local-unsubscribe-signing-key-change-me',
  REPORT_LINK_KEY: 'local-report-link-key-change-me-0123456789',
  SES_FROM: 'digests@chatpulse.local',
  // SLA alerts grouped per 10 s rather than AWS's default minute: the demo shows them in seconds
  ALERT_GROUP_SECONDS: '10',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export type LocalRuntime = {
  url: string;
  server: Server;
  dynamo: LocalDynamo | undefined;
  queues: LocalQueues;
  /** The alert queue (timers are delayed messages: `drain` does not wait for them). */
  alerts: LocalQueue<AlertMessage>;
  /** Delivers every queued message now (tests and the demo use it). */
  drain: () => Promise<void>;
  /** Fires the digest schedule once, as EventBridge Scheduler would. */
  fireSchedule: (at?: Date) => Promise<void>;
  /** Fires the lifecycle sweep once (the admin function's 5-minute schedule in AWS; every minute here). */
  fireSweep: () => Promise<void>;
  stop: () => Promise<void>;
};

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

function lambdaContext(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `chatpulse-local-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:chatpulse-local-${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/chatpulse-local-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toHttpEvent(req: IncomingMessage, body: Buffer, authorizer?: Record<string, unknown>): HttpEvent {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] ? `${query[k]},${v}` : v;
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(authorizer ? { authorizer: { lambda: authorizer } } : {}),
    },
    ...(body.length ? { body: body.toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  } as HttpEvent;
}

export async function startLocal(opts: { port?: number; dataDir?: string; dynamoEndpoint?: string; schedule?: boolean } = {}): Promise<LocalRuntime> {
  for (const [k, v] of Object.entries(LOCAL_DEFAULTS)) process.env[k] ??= v;
  const dataDir = path.resolve(opts.dataDir ?? '.data');
  process.env.OUTBOX_DIR ??= path.resolve('outbox');
  // every function runs here: check all their settings before starting anything
  const checked = checkConfig(ALL_SETTINGS);
  let dynamo: LocalDynamo | undefined;
  if (opts.dynamoEndpoint) {
    process.env.DYNAMODB_ENDPOINT = opts.dynamoEndpoint;
  } else {
    dynamo = await startDynamoLocal({ dataDir: path.join(dataDir, 'dynamodb'), ...(checked.DYNAMODB_PORT !== undefined ? { port: checked.DYNAMODB_PORT } : {}) });
    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  }
  resetConfig();
  setDb(undefined);
  forgetCachedShops();
  await ensureTable(process.env.DYNAMODB_ENDPOINT!, process.env.TABLE_NAME!);

  const webhook = (await import('#functions/webhook/handler.ts')).handler as Handler<HttpEvent, HttpResult>;
  const events = (await import('#functions/events/handler.ts')).handler as Handler<HttpEvent, HttpResult>;
  const report = (await import('#functions/report/handler.ts')).handler as Handler<HttpEvent, HttpResult>;
  const admin = (await import('#functions/admin/handler.ts')).handler as Handler<HttpEvent, HttpResult>;
  const authorizer = (await import('#functions/authorizer/handler.ts')).handler as Handler<unknown, { context?: Record<string, unknown> }>;
  const ingest = (await import('#functions/ingest/handler.ts')).handler as Handler<SQSEvent, { batchItemFailures: Array<{ itemIdentifier: string }> }>;
  const digestSend = (await import('#functions/digest-send/handler.ts')).handler as Handler<SQSEvent, { batchItemFailures: Array<{ itemIdentifier: string }> }>;
  const digestDispatch = (await import('#functions/digest-dispatch/handler.ts')).handler as Handler<{ time: string }, unknown>;
  const digestFeedback = (await import('#functions/digest-feedback/handler.ts')).handler as Handler<unknown, unknown>;
  const alertsFn = (await import('#functions/alerts/handler.ts')).handler as Handler<SQSEvent, { batchItemFailures: Array<{ itemIdentifier: string }> }>;

  const queueDir = path.join(dataDir, 'queues');
  // the ingest queue batches as the deployed event source does (lib/queue/ingest-batching.ts), with a few pollers
  const ingestQ = new LocalQueue<IngestMessage>(path.join(queueDir, 'ingest'), async (batch) => {
    const res = await ingest(sqsEventOf(batch, 'chatpulse-ingest'), lambdaContext('ingest'));
    return res.batchItemFailures.map((f) => f.itemIdentifier);
  }, {
    batchSize: INGEST_BATCHING.batchSize,
    batchingWindowMs: INGEST_BATCHING.maxBatchingWindowSeconds * 1000,
    concurrency: 4,
    visibilityTimeoutMs: ingestVisibilityTimeoutSeconds() * 1000,
    maxReceives: INGEST_BATCHING.maxReceiveCount,
  });
  const digestQ = new LocalQueue<DigestJob>(path.join(queueDir, 'digest'), async (batch) => {
    const res = await digestSend(sqsEventOf(batch, 'chatpulse-digest'), lambdaContext('digest-send'));
    return res.batchItemFailures.map((f) => f.itemIdentifier);
  }, { maxReceives: 5, batchSize: 5 });
  // SLA alerts: the same worker as in AWS behind a queue with per-message delays (timers), as SQS DelaySeconds
  const alertQ = new LocalQueue<AlertMessage>(path.join(queueDir, 'alerts'), async (batch) => {
    const res = await alertsFn(sqsEventOf(batch, 'chatpulse-alerts'), lambdaContext('alerts'));
    return res.batchItemFailures.map((f) => f.itemIdentifier);
  }, { maxReceives: 5, batchSize: 10, concurrency: 2 });
  const localAlerts: AlertQueue = {
    send: async (messages) => {
      for (const m of messages) alertQ.send([m.body], { delayMs: m.delaySeconds * 1000 });
    },
    deadLetter: async (body, reason) => alertQ.deadLetter(body, reason),
  };
  setAlertQueue(localAlerts);
  const queues = new LocalQueues(ingestQ, digestQ);
  setQueues(queues);
  // mail to SES's simulator addresses bounces or complains, and the event reaches digest-feedback as the EventBridge rule delivers it
  const feedback = (detail: Record<string, unknown>) =>
    digestFeedback({ source: 'aws.ses', 'detail-type': detail.eventType === 'Bounce' ? 'Email Bounced' : 'Email Complaint Received', detail }, lambdaContext('digest-feedback'));
  setMailTransport(new OutboxTransport(process.env.OUTBOX_DIR, undefined, feedback));
  ingestQ.start();
  digestQ.start();
  alertQ.start();

  const route = async (req: IncomingMessage, body: Buffer): Promise<HttpResult> => {
    const p = new URL(req.url ?? '/', 'http://localhost').pathname;
    const needsKey = p === '/v1/events' || p.startsWith('/v1/shops/');
    let ctx: Record<string, unknown> | undefined;
    if (needsKey) {
      const probe = toHttpEvent(req, Buffer.alloc(0));
      const auth = await authorizer(
        { type: 'REQUEST', headers: probe.headers, identitySource: [probe.headers.authorization ?? ''], routeKey: '$default', rawPath: p, requestContext: probe.requestContext },
        lambdaContext('authorizer'),
      );
      ctx = auth.context ?? {};
    }
    const event = toHttpEvent(req, body, ctx);
    if (p === '/healthz') {
      // locally, the health check also tells how much work is queued (the demo waits on it)
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ok: true, queued: { ingest: ingestQ.depth(), digest: digestQ.depth(), alerts: alertQ.depth() } }) };
    }
    if (p === '/_local/drain' && req.method === 'POST') {
      // local only (no such route in AWS): stop waiting out the batching window until the ingest queue is empty (the demo calls it)
      await ingestQ.drain();
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ok: true, queued: { ingest: ingestQ.depth(), digest: digestQ.depth() } }) };
    }
    if (p === '/healthz' || p.startsWith('/webhooks/')) return webhook(event, lambdaContext('webhook'));
    if (p === '/v1/events') return events(event, lambdaContext('events'));
    if (p.startsWith('/v1/shops/') || p === '/v1/openapi.json' || p === '/v1/metrics' || p === '/v1/glossary' || p.startsWith('/v1/report-pages/')) return report(event, lambdaContext('report'));
    if (p.startsWith('/v1/admin/') || p === '/v1/unsubscribe') return admin(event, lambdaContext('admin'));
    return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'not_found', message: `No route ${p}` } }) };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      try {
        if (!isLoopbackHost(req.headers.host)) {
          // a page whose name was rebound to 127.0.0.1 still sends its own Host: never serve it (DNS rebinding)
          res.writeHead(421, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: { code: 'misdirected_request', message: 'This local server answers only Host 127.0.0.1, localhost or [::1]', details: { host: req.headers.host ?? null } } }));
          req.resume();
          return;
        }
        const body = await readBody(req, 10 * 1024 * 1024); // API Gateway's own payload limit
        const out =
          body === 'too_large'
            ? { statusCode: 413, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'payload_too_large', message: 'Request body too large' } }) }
            : await route(req, body);
        res.writeHead(out.statusCode, out.headers);
        res.end(out.isBase64Encoded && out.body ? Buffer.from(out.body, 'base64') : (out.body ?? ''));
      } catch {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'Internal error' } }));
      }
    })();
  });
  const port = opts.port ?? Number(process.env.PORT ?? 3000);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  process.env.PUBLIC_BASE_URL ??= url;
  resetConfig(); // the functions' start-up checks cached the configuration before the address was known

  const fireSchedule = async (at = new Date()) => {
    await digestDispatch({ time: at.toISOString() }, lambdaContext('digest-dispatch'));
  };
  const fireSweep = async () => {
    await (admin as unknown as Handler<typeof SWEEP_EVENT, unknown>)(SWEEP_EVENT, lambdaContext('admin'));
  };
  let timer: NodeJS.Timeout | undefined;
  if (opts.schedule !== false) {
    let lastHour = -1;
    let lastMinute = -1;
    timer = setInterval(() => {
      const now = new Date();
      const minuteStamp = Math.floor(now.getTime() / 60_000);
      if (minuteStamp !== lastMinute) {
        lastMinute = minuteStamp;
        void fireSweep().catch(() => undefined);
      }
      const hourStamp = Math.floor(now.getTime() / 3_600_000);
      if (hourStamp !== lastHour) {
        lastHour = hourStamp;
        void fireSchedule(now).catch(() => undefined);
      }
    }, 30_000);
  }

  return {
    url,
    server,
    dynamo,
    queues,
    alerts: alertQ,
    drain: async () => {
      await ingestQ.drain();
      await digestQ.drain();
    },
    fireSchedule,
    fireSweep,
    stop: async () => {
      if (timer) clearInterval(timer);
      ingestQ.stop();
      digestQ.stop();
      alertQ.stop();
      setAlertQueue(undefined);
      setQueues(undefined);
      setMailTransport(undefined);
      await new Promise<void>((r) => server.close(() => r()));
      await dynamo?.stop();
    },
  };
}
