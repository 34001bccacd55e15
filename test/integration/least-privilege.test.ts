import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent, lambdaContext } from '#test/support/http.ts';
import { restoreEnv, TEST_SECRETS } from '#test/support/env.ts';
import { asFunction, recordTableCalls, allows, tableCallsOf } from '#test/support/table-access.ts';
import { PAGE, OA, makeMetaMessage, makeZalo, metaSign, zaloSign, makeShopifyOrder } from '#test/support/fixtures/platforms.ts';
import { orderSignature, rawJson } from '#test/support/fixtures/raw-json.ts';
import { resetConfig } from '#lib/config.ts';
import { db } from '#lib/store/client.ts';
import { forgetCachedShops } from '#lib/store/shops.ts';
import { setQueues, type DigestJob, type IngestMessage } from '#lib/queue/queue.ts';
import { setMailTransport } from '#lib/digests/transport.ts';
import { OutboxTransport, SIMULATOR } from '#lib/mail/outbox.ts';
import { FUNCTION_SETTINGS, type FunctionName } from '#lib/startup.ts';
import { TABLE_ACCESS } from '../../infra/least-privilege.ts';

/**
 * Every function's grant (infra/least-privilege.ts, which the stack test reads
 * back from the synthesized template) covers what its code really does: the
 * real handlers run one shop's life on DynamoDB Local (admin sets it up,
 * webhooks, events, ingest, every report route, digests with a bounce,
 * suppressions, rebuild, erasure, deletion), each as its own function, and
 * every table call is checked the way IAM checks it (action, table or index,
 * every partition key against the LeadingKeys patterns). A key prefix added
 * to lib/store/keys.ts without its grant fails here, not in AWS.
 */

const saved = { ...process.env };
const ADMIN = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
const SHOP = 'lp-shop';
const ZALO_OA = `${OA}9`;
const SECRET = 'shopify-secret-of-lp-shop-0123456789';
const localDay = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(ms));

describe('least privilege: every table call of every function is inside its grant', () => {
  let rec: ReturnType<typeof recordTableCalls>;
  let outbox: string;
  const ingestQueue: IngestMessage[] = [];
  const digestQueue: DigestJob[] = [];
  const h = {} as Record<FunctionName, (e: any, c: any) => Promise<any>>;
  const sqs = (bodies: unknown[]): SQSEvent =>
    ({ Records: bodies.map((b, i) => ({ messageId: `m-${i}`, receiptHandle: `r-${i}`, body: JSON.stringify(b), attributes: { ApproximateReceiveCount: '1' }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:local:0:q', awsRegion: 'local' })) }) as unknown as SQSEvent;
  const as = <T>(fn: FunctionName, f: () => Promise<T>) => asFunction(fn, f);
  const drainIngest = async () => {
    while (ingestQueue.length > 0) {
      const batch = ingestQueue.splice(0);
      const res = await as('ingest', () => h.ingest(sqs(batch), lambdaContext));
      expect(res.batchItemFailures).toEqual([]);
    }
  };
  let apiKey = '';
  const shopCall = (method: string, p: string, query = '', body?: object) =>
    as('report', () => call(h.report, httpEvent({ method, path: p, query, ...(body ? { body } : {}), authorizer: { shopId: SHOP }, headers: { authorization: `Bearer ${apiKey}` } })));
  const adminCall = (method: string, p: string, body?: object, query = '') => as('admin', () => call(h.admin, httpEvent({ method, path: p, query, headers: ADMIN, ...(body ? { body } : {}) })));

  beforeAll(async () => {
    process.env.REPORT_LINK_KEY = 'least-privilege-report-link-key-0123456789';
    resetConfig();
    await createTestTable();
    forgetCachedShops();
    rec = recordTableCalls(db());
    setQueues({ sendIngest: async (m) => void ingestQueue.push(...m), sendDigestJobs: async (j) => void digestQueue.push(...j), deadLetterDigest: async () => undefined });
    outbox = mkdtempSync(path.join(tmpdir(), 'chatpulse-lp-'));
    h.webhook = (await import('#functions/webhook/handler.ts')).handler;
    h.events = (await import('#functions/events/handler.ts')).handler;
    h.report = (await import('#functions/report/handler.ts')).handler;
    h.admin = (await import('#functions/admin/handler.ts')).handler;
    h.authorizer = (await import('#functions/authorizer/handler.ts')).handler;
    h.ingest = (await import('#functions/ingest/handler.ts')).handler;
    h['digest-dispatch'] = (await import('#functions/digest-dispatch/handler.ts')).handler;
    h['digest-send'] = (await import('#functions/digest-send/handler.ts')).handler;
    h['digest-feedback'] = (await import('#functions/digest-feedback/handler.ts')).handler;
    // SES's simulator bounces: the event reaches digest-feedback as the EventBridge rule delivers it
    setMailTransport(
      new OutboxTransport(outbox, () => new Date(), (detail) =>
        as('digest-feedback', () => h['digest-feedback']({ source: 'aws.ses', 'detail-type': detail.eventType === 'Bounce' ? 'Email Bounced' : 'Email Complaint Received', detail }, lambdaContext)),
      ),
    );
  });
  afterAll(() => {
    rec?.stop();
    setQueues(undefined);
    setMailTransport(undefined);
    rmSync(outbox, { recursive: true, force: true });
    restoreEnv(saved);
  });

  it('runs a shop from setup to deletion with no call outside its function\'s grant', async () => {
    const now = Date.now();
    const today = localDay(now);
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();

    // admin: the shop, its key, its order secret, costs, a revocation
    const shop = {
      name: 'Least Privilege',
      timezone: 'Asia/Ho_Chi_Minh',
      currency: 'VND',
      locale: 'vi-VN',
      pages: [
        { pageId: PAGE, channel: 'facebook', name: 'Fanpage' },
        { pageId: ZALO_OA, channel: 'zalo', name: 'OA' },
      ],
      staff: [{ staffId: 'lan', name: 'Lan' }],
      recipients: [
        { email: 'owner@lp.vn', daily: true, weekly: true },
        { email: SIMULATOR.bounce, daily: true, weekly: true },
      ],
    };
    expect((await adminCall('PUT', `/v1/admin/shops/${SHOP}`, shop)).status).toBe(200);
    expect((await adminCall('PATCH', `/v1/admin/shops/${SHOP}`, { responseSlaMinutes: 20 })).status).toBe(200);
    expect((await adminCall('GET', `/v1/admin/shops/${SHOP}`)).status).toBe(200);
    expect((await adminCall('GET', '/v1/admin/shops')).status).toBe(200);
    const issued = await adminCall('POST', `/v1/admin/shops/${SHOP}/api-keys`, { name: 'pos' });
    expect(issued.status).toBe(201);
    apiKey = issued.body.apiKey;
    expect((await adminCall('GET', `/v1/admin/shops/${SHOP}/api-keys`)).status).toBe(200);
    expect((await adminCall('PUT', `/v1/admin/shops/${SHOP}/order-webhooks/shopify`, { secret: SECRET })).status).toBe(204);
    expect((await adminCall('PUT', `/v1/admin/shops/${SHOP}/product-costs`, { items: [{ sku: 'AO-1', cost: 100000 }] })).status).toBe(200);
    expect((await adminCall('POST', `/v1/admin/shops/${SHOP}/report-links/revoke`)).status).toBe(200);

    // authorizer: the key, and its last use
    const auth = await as('authorizer', () =>
      h.authorizer({ type: 'REQUEST', headers: { authorization: `Bearer ${apiKey}` }, identitySource: [`Bearer ${apiKey}`], routeKey: '$default', rawPath: '/v1/events', requestContext: {} }, lambdaContext),
    );
    expect(auth.context.shopId).toBe(SHOP);

    // webhook: Meta, Zalo, a signed order, an order naming a page no shop has, an unsigned one
    const meta = rawJson(makeMetaMessage({ ts: now - 50 * 60_000, mid: 'm_lp1' }));
    expect((await as('webhook', () => call(h.webhook, httpEvent({ method: 'POST', path: '/webhooks/meta', body: meta, headers: { 'x-hub-signature-256': metaSign(meta, TEST_SECRETS.META_APP_SECRET) } })))).status).toBe(200);
    const zalo = makeZalo({ oa: ZALO_OA, ts: String(now - 40 * 60_000), msgId: 'z-lp1' });
    const zraw = rawJson(zalo);
    expect(
      (await as('webhook', () => call(h.webhook, httpEvent({ method: 'POST', path: '/webhooks/zalo', body: zraw, headers: { 'x-zevent-signature': zaloSign(zraw, zalo.app_id, zalo.timestamp, TEST_SECRETS.ZALO_OA_SECRET_KEY) } })))).status,
    ).toBe(200);
    const orderAt = at(30).replace('Z', '+00:00');
    for (const [id, page] of [[7001, PAGE], [7002, 'page-of-nobody']] as const) {
      const raw = rawJson(makeShopifyOrder({ id, created_at: orderAt, updated_at: orderAt, line_items: [{ id: 1, quantity: 1, price: '300000.00', sku: 'AO-1' }], note_attributes: [{ name: 'page_id', value: page }, { name: 'customer_id', value: '6789' }] }));
      const res = await as('webhook', () => call(h.webhook, httpEvent({ method: 'POST', path: `/webhooks/orders/shopify/${SHOP}`, body: raw, headers: { 'x-shopify-hmac-sha256': orderSignature(raw, SECRET), 'x-shopify-topic': 'orders/create' } })));
      expect(res.status).toBe(200);
    }
    expect((await as('webhook', () => call(h.webhook, httpEvent({ method: 'POST', path: `/webhooks/orders/shopify/${SHOP}`, body: '{}', headers: { 'x-shopify-topic': 'orders/create' } })))).status).toBe(401);

    // events: a reply and an event too late to count (a rejected event)
    const events = {
      events: [
        { id: 'lp-r1', kind: 'reply.sent', at: at(45), pageId: PAGE, customerId: '6789', via: 'message', automated: false, staffId: 'lan' },
        { id: 'lp-late', kind: 'message.received', at: new Date(now - 60 * 86_400_000).toISOString(), pageId: PAGE, customerId: '999' },
      ],
    };
    const accepted = await as('events', () => call(h.events, httpEvent({ method: 'POST', path: '/v1/events', body: events, authorizer: { shopId: SHOP } })));
    expect(accepted.status).toBe(202);

    // ingest: everything the edge queued
    await drainIngest();

    // report: every report and format, the export, the order, rejected events, a report link and its page, the public documents
    for (const r of ['overview', 'conversations', 'staff-chat', 'staff-sales', 'ads', 'referrals'])
      for (const format of ['json', 'csv', 'html', 'xlsx']) expect((await shopCall('GET', `/v1/shops/${SHOP}/reports/${r}`, `from=${today}&to=${today}&format=${format}`)).status, `${r} ${format}`).toBe(200);
    expect((await shopCall('GET', `/v1/shops/${SHOP}/exports/conversations`, `from=${today}&to=${today}`)).status).toBe(200);
    expect((await shopCall('GET', `/v1/shops/${SHOP}/orders/shopify%3A7001`)).status).toBe(200);
    const rejected = await shopCall('GET', `/v1/shops/${SHOP}/rejected-events`);
    expect(rejected.status).toBe(200);
    expect(JSON.stringify(rejected.body)).toContain('too_late');
    const link = await shopCall('POST', `/v1/shops/${SHOP}/report-links`, '', { report: 'overview', from: today, to: today });
    expect(link.status).toBe(201);
    const u = new URL(link.body.url);
    expect((await as('report', () => call(h.report, httpEvent({ method: 'GET', path: u.pathname, query: u.search.slice(1) })))).status).toBe(200);
    for (const p of ['/v1/openapi.json', '/v1/metrics', '/v1/glossary']) expect((await as('report', () => call(h.report, httpEvent({ method: 'GET', path: p })))).status).toBe(200);

    // digests: the hourly dispatch and a run now, sent (one bounces: digest-feedback), status, suppressions, unsubscribe
    await as('digest-dispatch', () => h['digest-dispatch']({ time: new Date(now).toISOString() }, lambdaContext));
    expect((await adminCall('POST', '/v1/admin/digests/run', { shopId: SHOP, period: 'daily', date: today })).status).toBe(202);
    expect(digestQueue.length).toBeGreaterThan(0);
    const sent = await as('digest-send', () => h['digest-send'](sqs(digestQueue.splice(0)), lambdaContext));
    expect(sent.batchItemFailures).toEqual([]);
    expect((await adminCall('GET', `/v1/admin/shops/${SHOP}/digests`, undefined, `period=daily&date=${today}`)).status).toBe(200);
    const suppressions = await adminCall('GET', `/v1/admin/shops/${SHOP}/suppressions`);
    expect(suppressions.body.suppressions.map((s: { email: string }) => s.email)).toEqual([SIMULATOR.bounce]);
    expect((await adminCall('DELETE', `/v1/admin/shops/${SHOP}/suppressions/${encodeURIComponent(SIMULATOR.bounce)}`)).status).toBe(204);
    const { unsubscribeUrl } = await import('#lib/digests/unsubscribe.ts');
    const unsub = new URL(unsubscribeUrl(SHOP, 'owner@lp.vn', 'weekly'));
    expect((await as('admin', () => call(h.admin, httpEvent({ method: 'POST', path: unsub.pathname, query: unsub.search.slice(1) })))).status).toBe(200);

    // admin: rebuild, one person's erasure, a key revoked, the shop deleted
    expect((await adminCall('POST', '/v1/admin/rebuild', { shopId: SHOP, from: today, to: today })).status).toBe(200);
    const erasure = await adminCall('POST', `/v1/admin/shops/${SHOP}/erasure`, { channel: 'facebook', customerId: '6789' });
    expect([200, 202]).toContain(erasure.status);
    expect([200, 202]).toContain((await adminCall('GET', `/v1/admin/jobs/${erasure.body.jobId}`)).status);
    const keys = await adminCall('GET', `/v1/admin/shops/${SHOP}/api-keys`);
    expect((await adminCall('DELETE', `/v1/admin/shops/${SHOP}/api-keys/${keys.body.keys[0].keyId}`)).status).toBe(204);
    let deletion = await adminCall('DELETE', `/v1/admin/shops/${SHOP}`);
    for (let i = 0; i < 20 && deletion.status === 202; i++) deletion = await adminCall('GET', `/v1/admin/jobs/${deletion.body.jobId}`);
    expect(deletion.status).toBe(200);

    // every function ran and called the table; none stepped outside its grant
    const ran = new Set(rec.calls.map((c) => c.fn));
    // every function ran, but the SLA alert worker (issue 23, landed after this scenario was written): its grant is
    // asserted from the template in test/infra/stack.test.ts only, not yet against its calls
    for (const fn of Object.keys(FUNCTION_SETTINGS).filter((f) => f !== 'alerts')) expect(ran.has(fn as FunctionName), fn).toBe(true);
    expect(rec.denied().map((c) => `${c.fn} ${c.action}${c.index ? ' (index)' : ''} ${c.leadingKeys.join(',')} via ${c.command}`)).toEqual([]);
    // the order secrets were read, and only by the webhook
    const secretReads = rec.calls.filter((c) => ['GetItem', 'BatchGetItem', 'Query'].includes(c.action) && c.leadingKeys.some((k) => k.startsWith('ORDERHOOK#')));
    expect(secretReads.length).toBeGreaterThan(0);
    expect([...new Set(secretReads.map((c) => c.fn))]).toEqual(['webhook']);
   }, 300_000);

  it('the check refuses what IAM would refuse', () => {
    const [secretRead] = tableCallsOf('GetCommand', { Key: { PK: 'ORDERHOOK#s#shopify', SK: 'SECRET' } });
    expect(allows(TABLE_ACCESS.webhook, secretRead!)).toBe(true);
    for (const fn of ['admin', 'report', 'ingest', 'events', 'authorizer', 'digest-dispatch', 'digest-send', 'digest-feedback'] as const) expect(allows(TABLE_ACCESS[fn], secretRead!), fn).toBe(false);
    // one key outside the grant in a batch is enough to refuse the whole call
    const [batch] = tableCallsOf('BatchGetCommand', { RequestItems: { t: { Keys: [{ PK: 'SHOP#s', SK: 'CONFIG' }, { PK: 'APIKEY#x', SK: 'APIKEY' }] } } });
    expect(allows(TABLE_ACCESS.report, batch!)).toBe(false);
    // a transaction is authorised item by item
    const tx = tableCallsOf('TransactWriteCommand', { TransactItems: [{ Put: { Item: { PK: 'SHOP#s' } } }, { Delete: { Key: { PK: 'PAGE#p' } } }] });
    expect(tx.map((c) => c.action)).toEqual(['PutItem', 'DeleteItem']);
    expect(tx.every((c) => allows(TABLE_ACCESS.ingest, c))).toBe(false);
    // index queries need the index grant; Scan is the admin's alone
    expect(allows(TABLE_ACCESS.report, { action: 'Query', index: true, leadingKeys: ['APIKEYS#s'] })).toBe(false);
    expect(allows(TABLE_ACCESS.report, { action: 'Scan', index: false, leadingKeys: [] })).toBe(false);
    // the admin puts an order secret but cannot have the old one handed back, and deletes a shop's items in mixed batches
    const [put] = tableCallsOf('PutCommand', { Item: { PK: 'ORDERHOOK#s#shopify', SK: 'SECRET' } });
    expect(allows(TABLE_ACCESS.admin, put!)).toBe(true);
    expect(allows(TABLE_ACCESS.admin, { ...put!, returnValues: 'ALL_OLD' } as NonNullable<typeof put>)).toBe(false);
    const [mixed] = tableCallsOf('BatchWriteCommand', { RequestItems: { t: [{ DeleteRequest: { Key: { PK: 'SHOP#s' } } }, { DeleteRequest: { Key: { PK: 'ORDERHOOK#s#shopify' } } }] } });
    expect(allows(TABLE_ACCESS.admin, mixed!)).toBe(true);
    expect(allows({ ...TABLE_ACCESS.admin, write: [{ actions: ['BatchWriteItem'], under: ['shop'] }, { actions: ['BatchWriteItem'], under: ['orderHook'] }] }, mixed!)).toBe(false);
  });
});
