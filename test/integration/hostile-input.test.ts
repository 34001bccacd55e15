import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readdirSync } from 'node:fs';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { metaSign, zaloSign } from '#test/support/fixtures/platforms.ts';
import { handler as webhook } from '#functions/webhook/handler.ts';
import { handler as events } from '#functions/events/handler.ts';
import type { LocalQueues } from '../../scripts/local/queues.ts';
import { startTestQueues } from '#test/support/queues.ts';
import { createApiKey, putShop } from '#lib/store/shops.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { consumeIngestMessages } from '#lib/ingest/consume.ts';
import { log } from '#lib/log.ts';

/**
 * One bad event costs only itself (SPEC §1.1): a hostile corpus through every
 * chat adapter, `/v1/events` and the ingest queue never answers 500, never
 * blocks, and never loses a valid event delivered beside a bad one.
 */

const PAGE = '401000000000001';
const OA = '4400000000000000001';
const NOW_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 2 * 3_600_000));
const t = (hhmm: string) => Date.parse(`${NOW_DAY}T${hhmm}:00+07:00`);
const LONG = 'x'.repeat(600);

function metaDelivery(entry: object) {
  const raw = JSON.stringify({ object: 'page', entry: [entry] });
  return httpEvent({ method: 'POST', path: '/webhooks/meta', body: raw, headers: { 'x-hub-signature-256': metaSign(raw, TEST_SECRETS.META_APP_SECRET) } });
}
const msg = (mid: string, timestamp: unknown, o: object = {}) => ({ sender: { id: 'cust-1' }, recipient: { id: PAGE }, timestamp, message: { mid, text: 'alo' }, ...o });

describe('hostile input: one bad event costs only itself', () => {
  let queues: LocalQueues;
  let stopQueues: () => void;
  let key: string;

  beforeAll(async () => {
    await createTestTable();
    ({ queues, stop: stopQueues } = startTestQueues());
    await putShop(makeShop('hostile', { pages: [{ pageId: PAGE, channel: 'facebook', name: 'Fanpage' }, { pageId: OA, channel: 'zalo', name: 'OA' }] }));
    key = await createApiKey('hostile');
  });
  afterAll(() => stopQueues());

  it('Meta: drops each malformed item alone and counts the valid ones beside it', async () => {
    const warn = vi.spyOn(log, 'warn');
    const res = await call(
      webhook,
      metaDelivery({
        id: PAGE,
        time: 'not a time',
        messaging: [
          msg('m_ok_1', t('09:00')),
          // an echo whose mid is 600 characters: passes Meta's shape, fails the canonical id limit
          { sender: { id: PAGE }, recipient: { id: 'cust-1' }, timestamp: t('09:01'), message: { mid: LONG, is_echo: true, app_id: 1, text: 'x' } },
          msg('m_big', 1e20),
          msg('m_neg', -1),
          msg('m_abc', 'abc'),
          msg('m_float_str', '1e20'),
          // Meta's test payloads send the timestamp as a numeric string: valid
          msg('m_ok_str', String(t('09:05'))),
          { sender: { id: { nested: 1 } }, recipient: { id: PAGE }, timestamp: t('09:00'), message: { mid: 'm_badsender' } },
          { recipient: { id: PAGE }, timestamp: t('09:00'), message: { mid: 'm_nosender' } },
          { sender: { id: PAGE }, recipient: { id: 'cust-1' }, timestamp: t('09:06'), message: { mid: 'm_meta', is_echo: true, metadata: `staff:${LONG}` } },
          { sender: { id: 'cust-1' }, recipient: { id: PAGE }, timestamp: t('09:07'), message: { mid: 42 } },
        ],
        changes: [
          { field: 'feed', value: { item: 'comment', verb: 'add', from: { id: 'cust-2' }, comment_id: '1_2', post_id: '1_1', parent_id: '1_1', created_time: 'abc' } },
          { field: 'feed', value: { item: 'comment', verb: 'add', from: { id: 'cust-2' }, comment_id: '1_3', post_id: '1_1', parent_id: '1_1', created_time: Math.floor(t('09:08') / 1000) } },
          { field: 'feed', value: 'not an object' },
        ],
      }),
    );
    // valid: m_ok_1, m_ok_str, comment 1_3. Invalid, each alone: 9 messaging items (long mid, 1e20, -1, 'abc',
    // '1e20', object sender, no sender, long staff metadata, numeric mid) and 2 changes (created_time 'abc' with
    // no usable entry.time, a value that is no object)
    expect(res).toMatchObject({ status: 200, body: { events: 3, unknownPages: 0, invalid: 11 } });
    // one log line per dropped event, naming its id and reason
    const dropped = warn.mock.calls.filter(([m]) => m === 'invalid event dropped').map(([, f]) => f);
    warn.mockRestore();
    expect(dropped).toHaveLength(11);
    expect(dropped).toContainEqual({ source: 'meta', eventId: 'm_big', reason: 'timestamp: out of range' });
    expect(dropped).toContainEqual({ source: 'meta', eventId: `meta:${LONG}`.slice(0, 80), reason: expect.stringContaining('id: Too big') });
    expect(dropped).toContainEqual({ source: 'meta', eventId: '1_2', reason: 'created_time: missing or out of range' });
    await queues.ingest.drain();
    expect(readdirSync(queues.ingest.dlqDir)).toEqual([]);
    const [p] = await getRollups('hostile', PAGE, 'P', 'D', NOW_DAY, NOW_DAY);
    expect(p?.fields).toMatchObject({ messagesReceived: 2, commentsReceived: 1, customersReached: 2 });
  });

  it('Meta: a payload that is no Meta batch at all is a 400 naming the field, never a 500', async () => {
    for (const body of [{ object: 'page', entry: 'x' }, { object: 7 }, [1, 2]]) {
      const raw = JSON.stringify(body);
      const res = await call(webhook, httpEvent({ method: 'POST', path: '/webhooks/meta', body: raw, headers: { 'x-hub-signature-256': metaSign(raw, TEST_SECRETS.META_APP_SECRET) } }));
      expect(res.status, raw).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.raw).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('Zalo: an event with a broken timestamp is acknowledged and dropped; a good one beside it still counts', async () => {
    const send = async (timestamp: unknown, msgId: string) => {
      const body = { app_id: TEST_SECRETS.ZALO_APP_ID, user_id_by_app: '1', event_name: 'user_send_text', timestamp, sender: { id: 'zu-1' }, recipient: { id: OA }, message: { msg_id: msgId, text: 'hi' } };
      const raw = JSON.stringify(body);
      return call(webhook, httpEvent({ method: 'POST', path: '/webhooks/zalo', body: raw, headers: { 'X-ZEvent-Signature': zaloSign(raw, TEST_SECRETS.ZALO_APP_ID, String(timestamp), TEST_SECRETS.ZALO_OA_SECRET_KEY) } }));
    };
    for (const [ts, id] of [[1e20, 'z1'], [-1, 'z2'], ['abc', 'z3'], [t('10:00') + 0.5, 'z4'], ['1e20', 'z5']] as const) {
      expect(await send(ts, id), String(ts)).toMatchObject({ status: 200, body: { events: 0, invalid: 1 } });
    }
    expect(await send(String(t('10:01')), 'z-ok')).toMatchObject({ status: 200, body: { events: 1, invalid: 0 } });
    await queues.ingest.drain();
    const [p] = await getRollups('hostile', OA, 'P', 'D', NOW_DAY, NOW_DAY);
    expect(p?.fields).toMatchObject({ messagesReceived: 1 });
  });

  it('/v1/events: every invalid event is listed with its index and field, and nothing is queued', async () => {
    const good = { id: 'ok', kind: 'message.received', at: new Date(t('11:00')).toISOString(), pageId: PAGE, customerId: 'c' };
    const bad = [
      { ...good, id: LONG },
      { ...good, at: '1e20' },
      { ...good, at: -1 },
      { ...good, at: '99999-01-01T00:00:00Z' },
      { ...good, customerId: 12345 },
      { ...good, kind: 'message.exploded' },
      { id: 'no-fields', kind: 'reply.sent', at: good.at, pageId: PAGE, via: 'message' },
    ];
    const res = await call(events, httpEvent({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${key}` }, body: { events: [good, ...bad] } }));
    expect(res.status).toBe(400);
    const byIndex = new Map<number, string>(res.body.error.details.map((d: { index: number; path: string }) => [d.index, d.path]));
    expect([...byIndex.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(byIndex.get(1)).toBe('id');
    expect(byIndex.get(2)).toBe('at');
    expect(byIndex.get(5)).toBe('customerId');
    expect(byIndex.get(7)).toBe('customerId');
  });

  it('ingest queue: applies the valid events of a message with a bad one, and a message that is no message fails alone', async () => {
    const at = new Date(t('12:00')).toISOString();
    const good = (id: string, customerId: string) => ({ id, kind: 'message.received', at, pageId: PAGE, customerId });
    const failed = await consumeIngestMessages([
      { messageId: 'q1', groupId: 'g', body: JSON.stringify({ shopId: 'hostile', events: [good('q-ok-1', 'qc-1'), { ...good('q-bad', 'qc-2'), id: LONG }, { kind: 'nothing' }] }) },
      { messageId: 'q2', groupId: 'g', body: '{"shopId": "hostile", "events": ' },
      { messageId: 'q3', groupId: 'g', body: JSON.stringify({ shopId: 'hostile', events: [good('q-ok-2', 'qc-3')] }) },
    ]);
    // only the unparseable message is redelivered; the one behind it in its group is applied
    expect(failed).toEqual(['q2']);
    const [p] = await getRollups('hostile', PAGE, 'P', 'D', NOW_DAY, NOW_DAY);
    // 2 from the Meta test + q-ok-1 + q-ok-2
    expect(p?.fields).toMatchObject({ messagesReceived: 4 });
  });
});
