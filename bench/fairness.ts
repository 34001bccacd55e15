/**
 * Fairness (issue 21): a quiet shop's visibility (order webhook → order
 * visible in its report) with and without a neighbour flooding 50,000 events
 * through `POST /v1/events`, side by side in one run, on the local runtime
 * (the real handlers, the local fair queue with the deployed batching, the
 * per-shop limits, DynamoDB Local). Then what the flood costs.
 *
 * Run alone: `npx tsx bench/fairness.ts` (replaces its section of
 * bench/RESULTS.md); `npm run bench` runs it as one section.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem, type } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocal, type LocalRuntime } from '../scripts/local/runtime.ts';
import { startDynamoLocal } from '../scripts/local/dynamodb-local.ts';
import { getOrderView } from '#lib/orders/view.ts';
import { INGEST_BATCHING } from '#lib/queue/ingest-batching.ts';
import { shopLimits } from '#lib/limits/shop-limits.ts';
import { measureDeployedPath, type Arrival } from './deployed-path.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import { makeShopifyWebhookOrder } from '#test/support/fixtures/shopify-orders.ts';

const QUIET = 'quiet-shop';
const FLOOD = 'flood-shop';
const FLOOD_EVENTS = Number(process.env.BENCH_FLOOD_EVENTS ?? 50_000);
const QUIET_ORDERS = Number(process.env.BENCH_QUIET_ORDERS ?? 20);
const QUIET_SECRET = 'quiet-shop-shopify-secret-0123456789';
/** on-demand prices (USD, us-east-1, 2026): DynamoDB per million write units, SQS per million requests, Lambda per million requests and per GB-s (arm64), API Gateway HTTP API per million requests */
const PRICE = { wru: 0.625, sqs: 0.4, lambdaRequest: 0.2, lambdaGbSecond: 0.0000133334, httpApi: 1.0 };

export type FairnessFigures = {
  quiet: { label: string; visibility: number[]; p50: number; p95: number; max: number }[];
  flood: { events: number; requests: number; refused: number; acceptSeconds: number; drainSeconds: number; messages: number; wruPerEvent: number };
  ratio: number;
  seconds: number;
};

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * p) - 1)] ?? 0;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function http(rt: LocalRuntime, method: string, p: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${rt.url}${p}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, retryAfter: Number(res.headers.get('retry-after') ?? 1), body: text ? (JSON.parse(text) as any) : undefined };
}

/** A Shopify orders/create body (the recorded shape of test/support/fixtures) for the quiet shop, created now, signed with its secret. */
function shopifyOrder(id: number): { raw: string; headers: Record<string, string> } {
  const now = new Date().toISOString();
  const raw = JSON.stringify(makeShopifyWebhookOrder({ id, created_at: now, updated_at: now, processed_at: now, note_attributes: [] }));
  return { raw, headers: { 'x-shopify-hmac-sha256': createHmac('sha256', QUIET_SECRET).update(raw).digest('base64'), 'x-shopify-topic': 'orders/create' } };
}

/** Sends the quiet shop's orders one a second and measures each one's seconds from webhook to visible. */
async function quietRun(rt: LocalRuntime, firstId: number): Promise<number[]> {
  const sent = new Map<number, number>();
  const seen = new Map<number, number>();
  const poll = (async () => {
    const deadline = Date.now() + 600_000;
    while ((seen.size < QUIET_ORDERS || sent.size < QUIET_ORDERS) && Date.now() < deadline) {
      for (const id of sent.keys()) {
        if (seen.has(id)) continue;
        const visible = await getOrderView(QUIET, `shopify:${id}`).then(() => true, () => false);
        if (visible) seen.set(id, Date.now());
      }
      await sleep(100);
    }
  })();
  for (let i = 0; i < QUIET_ORDERS; i++) {
    const id = firstId + i;
    const { raw, headers } = shopifyOrder(id);
    const t = Date.now();
    const res = await http(rt, 'POST', `/webhooks/orders/shopify/${QUIET}`, raw, headers);
    if (res.status !== 200) throw new Error(`quiet order webhook → ${res.status} ${JSON.stringify(res.body)}`);
    sent.set(id, t);
    await sleep(1000);
  }
  await poll;
  if (seen.size < QUIET_ORDERS) throw new Error(`only ${seen.size} of ${QUIET_ORDERS} quiet orders became visible`);
  return [...sent].map(([id, t]) => (seen.get(id)! - t) / 1000);
}

/** The flood: FLOOD_EVENTS new-customer messages in batches of 500, resent after a 429 as told by Retry-After. */
async function flood(rt: LocalRuntime, key: string, tag: string): Promise<{ requests: number; refused: number; seconds: number }> {
  const t0 = Date.now();
  let requests = 0;
  let refused = 0;
  const at = new Date(Date.now() - 60_000).toISOString();
  for (let from = 0; from < FLOOD_EVENTS; from += 500) {
    const events = Array.from({ length: Math.min(500, FLOOD_EVENTS - from) }, (_, i) => ({ id: `${tag}-${from + i}`, kind: 'message.received', at, pageId: 'flood-page', customerId: `${tag}-c${from + i}` }));
    for (;;) {
      requests++;
      const res = await http(rt, 'POST', '/v1/events', { events }, { authorization: `Bearer ${key}` });
      if (res.status === 202) break;
      if (res.status !== 429) throw new Error(`flood → ${res.status} ${JSON.stringify(res.body)}`);
      refused++;
      await sleep(res.retryAfter * 1000);
    }
  }
  return { requests, refused, seconds: (Date.now() - t0) / 1000 };
}

export async function measureFairness(endpoint: string): Promise<FairnessFigures> {
  const started = Date.now();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chatpulse-fair-'));
  process.env.TABLE_NAME = `bench-fair-${randomUUID().slice(0, 8)}`;
  process.env.LOG_LEVEL = 'silent';
  const rt = await startLocal({ port: 0, dataDir, dynamoEndpoint: endpoint, schedule: false });
  try {
    const admin = { authorization: `Bearer ${process.env.ADMIN_TOKEN}` };
    const shop = (pageId: string) => ({ name: pageId, timezone: 'Asia/Ho_Chi_Minh', currency: 'VND', locale: 'vi-VN', pages: [{ pageId, channel: 'facebook', name: pageId }], staff: [], recipients: [] });
    for (const [id, page] of [[QUIET, 'quiet-page'], [FLOOD, 'flood-page']] as const) {
      const r = await http(rt, 'PUT', `/v1/admin/shops/${id}`, shop(page), admin);
      if (r.status !== 200) throw new Error(`PUT shop → ${r.status} ${JSON.stringify(r.body)}`);
    }
    await http(rt, 'PUT', `/v1/admin/shops/${QUIET}/order-webhooks/shopify`, { secret: QUIET_SECRET }, admin);
    const key = (await http(rt, 'POST', `/v1/admin/shops/${FLOOD}/api-keys`, {}, admin)).body.apiKey as string;

    // 1. no neighbour
    const alone = await quietRun(rt, 1_000_000);
    // 2. the neighbour floods; the quiet shop starts once the flood's backlog is queued behind the pollers
    const depthBefore = rt.queues.ingest.depth();
    let accepted = false;
    const flooding = flood(rt, key, 'f1').then((r) => ((accepted = true), r));
    const backlog = Math.min(40, Math.ceil(FLOOD_EVENTS / 100 / 2));
    while (!accepted && rt.queues.ingest.depth() < depthBefore + backlog) await sleep(100);
    const beside = await quietRun(rt, 2_000_000);
    const f = await flooding;
    const floodStart = Date.now() - f.seconds * 1000;
    while (rt.queues.ingest.depth() > 0) await sleep(250);
    const drainSeconds = (Date.now() - floodStart) / 1000;

    const stats = (label: string, v: number[]) => ({ label, visibility: v, p50: q(v, 0.5), p95: q(v, 0.95), max: Math.max(...v) });
    const quiet = [stats('alone', alone), stats(`beside a flood of ${FLOOD_EVENTS.toLocaleString('en')} events`, beside)];
    // write units per flood event, metered on a sample of the same events in batches of 100 (bench/meter.ts)
    const sample: Arrival[] = Array.from({ length: 2000 }, (_, i) => ({
      t: Math.floor(i / 100),
      shopId: 'flood-sample',
      // measureDeployedPath applies at its fixed NOW (2026-11-21 12:00 +07:00): the sample happens before it
      event: { id: `s-${i}`, kind: 'message.received', at: `2026-11-21T10:${String(Math.floor(i / 100)).padStart(2, '0')}:00+07:00`, pageId: 'flood-sample-page', customerId: `s-c${i}` } as CanonicalEvent,
    }));
    const metered = await measureDeployedPath(endpoint, 'flood sample', sample, 1);
    return {
      quiet,
      flood: { events: FLOOD_EVENTS, requests: f.requests, refused: f.refused, acceptSeconds: f.seconds, drainSeconds, messages: Math.ceil(FLOOD_EVENTS / 100), wruPerEvent: metered.wruPerEvent },
      ratio: quiet[1]!.p95 / quiet[0]!.p95,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await rt.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function fairnessSection(f: FairnessFigures): string[] {
  const [alone, beside] = f.quiet as [FairnessFigures['quiet'][0], FairnessFigures['quiet'][0]];
  const limits = shopLimits();
  const messages = f.flood.messages;
  const wru = f.flood.wruPerEvent * f.flood.events;
  // SQS: SendMessageBatch of 10, the poller's ReceiveMessage of up to 10 and DeleteMessageBatch of 10 per message
  const sqsRequests = Math.ceil(messages / 10) * 3;
  const ingestBatches = Math.ceil(messages / INGEST_BATCHING.batchSize);
  const cost = {
    dynamo: (wru + f.flood.requests) * (PRICE.wru / 1e6),
    sqs: sqsRequests * (PRICE.sqs / 1e6),
    api: f.flood.requests * (PRICE.httpApi / 1e6 + PRICE.lambdaRequest / 1e6),
  };
  const total = cost.dynamo + cost.sqs + cost.api;
  const f1 = (n: number) => n.toFixed(1);
  return [
    '<!-- fairness:start -->',
    '## Fairness: a quiet shop beside a flooding one (`bench/fairness.ts`)',
    '',
    `Local runtime (real handlers over HTTP, the local fair queue with the deployed batching: ${INGEST_BATCHING.batchSize} messages / ${INGEST_BATCHING.maxBatchingWindowSeconds} s window, 4 pollers; per-shop limits at their defaults: ${limits.events.requests} event requests and ${limits.events.units.toLocaleString('en')} events per second). The quiet shop sends ${alone.visibility.length} Shopify \`orders/create\` webhooks, one a second; visibility is webhook sent → the order readable in its report (\`GET /v1/shops/{shopId}/orders/{orderId}\`'s reading, polled every 100 ms). Then the same with a neighbour posting ${f.flood.events.toLocaleString('en')} new-customer messages through \`POST /v1/events\` (batches of 500, resent after each 429 as \`Retry-After\` says), the quiet shop starting once the flood's backlog is queued.`,
    '',
    '| quiet shop | orders | p50 (s) | p95 (s) | max (s) |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...f.quiet.map((s) => `| ${s.label} | ${s.visibility.length} | ${f1(s.p50)} | ${f1(s.p95)} | ${f1(s.max)} |`),
    '',
    `p95 beside the flood / alone: **${f.ratio.toFixed(2)}×** (goal ≤ 1.2×: ${f.ratio <= 1.2 ? 'met' : 'missed'}). Alone, an order waits out the batching window (a partial batch is held up to ${INGEST_BATCHING.maxBatchingWindowSeconds} s); beside the flood, batches fill at once and the fair queue hands the quiet shop's message out at the next receive, ahead of the flood's backlog, and ingest applies the smallest shop of a batch first.`,
    '',
    `The flood: ${f.flood.requests} requests, of which ${f.flood.refused} refused with 429 (the shop's events limit), accepted in ${f1(f.flood.acceptSeconds)} s; its backlog (${messages} queue messages of 100 events) was applied ${f1(f.flood.drainSeconds)} s after it began, on this machine.`,
    '',
    'What a flood of this size costs us (on-demand prices, USD, us-east-1): ',
    '',
    '| item | quantity | USD |',
    '| --- | ---: | ---: |',
    `| DynamoDB writes: ingest (${f.flood.wruPerEvent.toFixed(2)} WRU/event, metered on a sample of the same events) + one limit counter per request | ${Math.round(wru + f.flood.requests).toLocaleString('en')} WRU | ${cost.dynamo.toFixed(4)} |`,
    `| SQS: send, receive, delete (batches of 10) | ${sqsRequests} requests | ${cost.sqs.toFixed(5)} |`,
    `| API Gateway HTTP API + events Lambda requests | ${f.flood.requests} requests | ${cost.api.toFixed(5)} |`,
    `| ingest Lambda | ${ingestBatches} batches of ${INGEST_BATCHING.batchSize} messages | (duration: the batches' processing time, see "Cost on the deployed path") |`,
    `| **total, without Lambda duration** | | **${total.toFixed(4)}** (≈ $${((total / f.flood.events) * 1e6).toFixed(2)} per million events) |`,
    '',
    `A shop can send at most ${limits.events.units.toLocaleString('en')} events a second through the API, so at most ≈ $${((total / f.flood.events) * limits.events.units * 3600).toFixed(2)} an hour of sustained flooding, paid in its own backlog's delay: other shops' messages go first (fair queue).`,
    '',
    `Run: \`npx tsx bench/fairness.ts\` (${f1(f.seconds)} s) on ${type()} ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, DynamoDB Local; the machine was shared with other work during the run.`,
    '<!-- fairness:end -->',
    '',
  ];
}

/** Replaces (or appends) the fairness section of bench/RESULTS.md. */
export function writeFairnessSection(lines: string[]): void {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'RESULTS.md');
  const text = readFileSync(file, 'utf8');
  const block = lines.join('\n');
  const re = /<!-- fairness:start -->[\s\S]*?<!-- fairness:end -->\n?/;
  writeFileSync(file, re.test(text) ? text.replace(re, block) : `${text.trimEnd()}\n\n${block}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dynamo = await startDynamoLocal();
  try {
    const f = await measureFairness(dynamo.endpoint);
    const lines = fairnessSection(f);
    writeFairnessSection(lines);
    console.log(lines.join('\n'));
  } finally {
    await dynamo.stop();
  }
  process.exit(0);
}
