import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { OA, PAGE, makeFeedComment, makeMetaEcho, makeMetaMessage, makeShopifyOrder, makeZalo, metaSign, orderSign, zaloSign } from '#test/support/fixtures/platforms.ts';
import { handler as webhook } from '#functions/webhook/handler.ts';
import type { LocalQueues } from '../../scripts/local/queues.ts';
import { startTestQueues } from '#test/support/queues.ts';
import { putShop } from '#lib/store/shops.ts';
import { putOrderWebhookSecret } from '#lib/store/order-secrets.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';

const NOW_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 2 * 3_600_000));
const t = (hhmm: string) => Date.parse(`${NOW_DAY}T${hhmm}:00+07:00`);

function meta(body: object, secret = TEST_SECRETS.META_APP_SECRET) {
  const raw = JSON.stringify(body);
  return httpEvent({ method: 'POST', path: '/webhooks/meta', body: raw, headers: { 'x-hub-signature-256': metaSign(raw, secret) } });
}

describe('webhooks end to end (handler → FIFO → ingest → rollups)', () => {
  let queues: LocalQueues;
  let stopQueues: () => void;

  beforeAll(async () => {
    await createTestTable();
    ({ queues, stop: stopQueues } = startTestQueues());
    await putShop(
      makeShop('wh', {
        pages: [
          { pageId: PAGE, channel: 'facebook', name: 'Fanpage' },
          { pageId: OA, channel: 'zalo', name: 'Zalo OA' },
        ],
        staff: [{ staffId: 'lan', name: 'Lan', accounts: [{ channel: 'zalo', id: 'admin-77' }] }],
      }),
    );
  });

  afterAll(() => stopQueues());

  it('answers the subscription check only with the verify token', async () => {
    const ok = await call(webhook, httpEvent({ method: 'GET', path: '/webhooks/meta', query: `hub.mode=subscribe&hub.verify_token=${TEST_SECRETS.META_VERIFY_TOKEN}&hub.challenge=1158201444` }));
    expect(ok).toMatchObject({ status: 200, raw: '1158201444' });
    const bad = await call(webhook, httpEvent({ method: 'GET', path: '/webhooks/meta', query: 'hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1' }));
    expect(bad.status).toBe(403);
  });

  it('stores nothing for a bad signature', async () => {
    const before = (await db().send(new ScanCommand({ TableName: tableName() }))).Count;
    const res = await call(webhook, meta(makeMetaMessage({ mid: 'm_forged', ts: t('08:00') }), 'not-the-secret'));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    await queues.ingest.drain();
    expect((await db().send(new ScanCommand({ TableName: tableName() }))).Count).toBe(before);
  });

  it('counts a Meta message delivered three times once, with the echo, comment and page reply', async () => {
    const msg = meta(makeMetaMessage({ mid: 'm_1', psid: 'cust-a', ts: t('09:00') }));
    for (let i = 0; i < 3; i++) expect((await call(webhook, msg)).status).toBe(200);
    await call(webhook, meta(makeMetaEcho({ mid: 'm_e1', psid: 'cust-a', ts: t('09:04'), metadata: 'staff:lan' })));
    await call(webhook, meta(makeFeedComment({ from: 'cust-b', commentId: '555_1', created: Math.floor(t('09:10') / 1000) })));
    await call(webhook, meta(makeFeedComment({ from: PAGE, commentId: '555_2', parentId: '555_1', created: Math.floor(t('09:12') / 1000) })));
    // an unregistered page is acknowledged and dropped
    expect((await call(webhook, meta(makeMetaMessage({ page: '424242', mid: 'm_x', ts: t('09:00') })))).body).toEqual({ events: 0, unknownPages: 1, invalid: 0 });
    await queues.ingest.drain();
    expect(readdirSync(queues.ingest.dlqDir)).toEqual([]);
    const [p] = await getRollups('wh', PAGE, 'P', 'D', NOW_DAY, NOW_DAY);
    expect(p?.fields).toMatchObject({ messagesReceived: 1, commentsReceived: 1, customersReached: 2, customersCared: 2, messageConversations: 1, hm09: 1, hc09: 1 });
    const staff = await getRollups('wh', PAGE, 'S', 'D', NOW_DAY, NOW_DAY);
    const byEntity = Object.fromEntries(staff.map((s) => [s.entity, s.fields]));
    expect(byEntity.lan).toMatchObject({ messageReplies: 1, rtSum: 240, rtCount: 1 });
    expect(byEntity.unknown).toMatchObject({ commentReplies: 1, rtSum: 120, rtCount: 1 });
  });

  it('takes Zalo messages and replies with the staff of the OA admin', async () => {
    const send = async (body: ReturnType<typeof makeZalo>) => {
      const raw = JSON.stringify(body);
      return call(webhook, httpEvent({ method: 'POST', path: '/webhooks/zalo', body: raw, headers: { 'x-zevent-signature': zaloSign(raw, TEST_SECRETS.ZALO_APP_ID, body.timestamp, TEST_SECRETS.ZALO_OA_SECRET_KEY) } }));
    };
    expect((await send(makeZalo({ msgId: 'z1', user: 'zu-1', ts: String(t('10:00')), appId: TEST_SECRETS.ZALO_APP_ID }))).status).toBe(200);
    expect((await send(makeZalo({ event: 'oa_send_text', msgId: 'z2', user: 'zu-1', ts: String(t('10:01')), adminId: 'admin-77', appId: TEST_SECRETS.ZALO_APP_ID }))).status).toBe(200);
    const forged = makeZalo({ msgId: 'z3', ts: String(t('10:02')) });
    const res = await call(webhook, httpEvent({ method: 'POST', path: '/webhooks/zalo', body: JSON.stringify(forged), headers: { 'x-zevent-signature': 'mac=00' } }));
    expect(res.status).toBe(401);
    await queues.ingest.drain();
    const [p] = await getRollups('wh', OA, 'P', 'D', NOW_DAY, NOW_DAY);
    expect(p?.fields).toMatchObject({ messagesReceived: 1, customersReached: 1, customersCared: 1 });
    const [lan] = await getRollups('wh', OA, 'S', 'D', NOW_DAY, NOW_DAY);
    expect(lan).toMatchObject({ entity: 'lan', fields: expect.objectContaining({ messageReplies: 1, rtSum: 60 }) });
  });

  it('takes order webhooks signed with the shop’s own secret, and a cancellation lowers the creation day', async () => {
    const created = `${NOW_DAY}T11:00:00+07:00`;
    const secret = 'wh-haravan-secret-0123456789';
    await putOrderWebhookSecret('wh', 'haravan', secret);
    const post = (topic: string, order: object, platform = 'haravan', shop = 'wh') => {
      const raw = JSON.stringify(order);
      return call(webhook, httpEvent({ method: 'POST', path: `/webhooks/orders/${platform}/${shop}`, body: raw, headers: { 'x-haravan-hmacsha256': orderSign(raw, secret), 'x-haravan-topic': topic } }));
    };
    const order = makeShopifyOrder({ id: 9001, created_at: created, updated_at: created, note_attributes: [{ name: 'page_id', value: PAGE }, { name: 'customer_id', value: 'cust-a' }, { name: 'staff_id', value: 'lan' }] });
    expect((await post('orders/create', order)).status).toBe(200);
    expect((await post('orders/create', order)).status).toBe(200); // redelivered
    expect((await post('orders/cancelled', { ...order, cancelled_at: new Date().toISOString() })).status).toBe(200);
    const bad = await call(webhook, httpEvent({ method: 'POST', path: '/webhooks/orders/haravan/wh', body: JSON.stringify(order), headers: { 'x-haravan-hmacsha256': 'AAAA', 'x-haravan-topic': 'orders/create' } }));
    expect(bad.status).toBe(401);
    expect((await call(webhook, httpEvent({ method: 'POST', path: '/webhooks/orders/woo/wh', body: '{}' }))).status).toBe(404);
    await queues.ingest.drain();
    const [p] = await getRollups('wh', PAGE, 'P', 'D', NOW_DAY, NOW_DAY);
    expect(p?.fields).toMatchObject({ ordersCreated: 1, ordersCancelled: 1, provisionalRevenueMinor: 1250000 });
    expect(p?.fields.revenueMinor ?? 0).toBe(0);
  });
});
