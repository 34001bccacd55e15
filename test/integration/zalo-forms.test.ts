import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { makeZaloSubmitInfo, makeZnsReceipt, zaloSign } from '#test/support/fixtures/platforms.ts';
import { handler as webhook } from '#functions/webhook/handler.ts';
import type { LocalQueues } from '../../scripts/local/queues.ts';
import { startTestQueues } from '#test/support/queues.ts';
import { putShop } from '#lib/store/shops.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';

/** A phone the customer submits through a Zalo OA form links later orders to the conversation (SPEC §1.2). */

const OA = '4500000000000000001';
const NOW_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 2 * 3_600_000));
const t = (hhmm: string) => Date.parse(`${NOW_DAY}T${hhmm}:00+07:00`);

function zalo(body: { timestamp: string }) {
  const raw = JSON.stringify(body);
  return httpEvent({ method: 'POST', path: '/webhooks/zalo', body: raw, headers: { 'x-zevent-signature': zaloSign(raw, TEST_SECRETS.ZALO_APP_ID, body.timestamp, TEST_SECRETS.ZALO_OA_SECRET_KEY) } });
}

describe('Zalo forms', () => {
  let queues: LocalQueues;
  let stopQueues: () => void;
  beforeAll(async () => {
    await createTestTable();
    ({ queues, stop: stopQueues } = startTestQueues());
    await putShop(makeShop('zf', { pages: [{ pageId: OA, channel: 'zalo', name: 'OA' }] }));
  });
  afterAll(() => stopQueues());

  it('links a later order carrying the submitted phone to the customer’s conversation with the OA', async () => {
    const res = await call(webhook, zalo(makeZaloSubmitInfo({ oa: OA, user: 'zu-77', phone: '84903123456', appId: TEST_SECRETS.ZALO_APP_ID, ts: String(t('09:00')) })));
    expect(res).toMatchObject({ status: 200, body: { events: 0, unknownPages: 0, invalid: 0 } });
    await queues.ingest.drain();
    // the shop's order webhook names no page or customer, only the phone, in another format
    await recordBatch('zf', [{ id: 'o-1', kind: 'order.created', at: new Date(t('10:00')).toISOString(), orderId: 'haravan:1', phone: '+84 903 123 456', total: 350000 }]);
    const [page] = await getRollups('zf', OA, 'P', 'D', NOW_DAY, NOW_DAY);
    expect(page?.fields).toMatchObject({ ordersCreated: 1, revenueMinor: 350000 });
    // and not as an order with no page
    expect(await getRollups('zf', '_', 'P', 'D', NOW_DAY, NOW_DAY)).toEqual([]);
  });

  it('acknowledges a ZNS receipt without looking up or reporting an unknown page', async () => {
    const res = await call(webhook, zalo(makeZnsReceipt({ oa: OA, phone: '84987654321', appId: TEST_SECRETS.ZALO_APP_ID })));
    expect(res).toMatchObject({ status: 200, body: { events: 0, unknownPages: 0, invalid: 0 } });
  });
});
