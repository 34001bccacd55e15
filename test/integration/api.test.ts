import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent, lambdaContext } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeMessage, makeReply } from '#test/support/factories.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { handler as events } from '#functions/events/handler.ts';
import { handler as authorizer } from '#functions/authorizer/handler.ts';
import type { LocalQueues } from '../../scripts/local/queues.ts';
import { startTestQueues } from '#test/support/queues.ts';
import { db, tableName } from '#lib/store/client.ts';
import { getRollups } from '#lib/store/rollups.ts';

const ADMIN = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
const shopBody = {
  name: 'Hoa Mai',
  pages: [{ pageId: 'api-fb', channel: 'facebook', name: 'Fanpage' }],
  staff: [{ staffId: 'lan', name: 'Lan' }],
  recipients: [{ email: 'owner@hoamai.vn', daily: true, weekly: true }],
};

describe('admin and events API', () => {
  let queues: LocalQueues;
  let stopQueues: () => void;
  let apiKey: string;

  beforeAll(async () => {
    await createTestTable();
    ({ queues, stop: stopQueues } = startTestQueues());
  });

  afterAll(() => stopQueues());

  it('refuses admin calls without the admin token', async () => {
    const res = await call(admin, httpEvent({ method: 'PUT', path: '/v1/admin/shops/hoa-mai', body: shopBody, headers: { authorization: 'Bearer wrong' } }));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('rejects a bad shop with the field that is wrong', async () => {
    const res = await call(admin, httpEvent({ method: 'PUT', path: '/v1/admin/shops/hoa-mai', headers: ADMIN, body: { ...shopBody, timezone: 'Mars/Olympus', currency: 'dong' } }));
    expect(res.status).toBe(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(['currency', 'timezone']);
    expect(res.raw).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('rejects malformed JSON with a 400', async () => {
    const res = await call(admin, httpEvent({ method: 'PUT', path: '/v1/admin/shops/hoa-mai', headers: ADMIN, body: '{"name": ' }));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Request body is not valid JSON');
  });

  it('stores a shop with defaults and issues an API key stored only as a hash', async () => {
    const put = await call(admin, httpEvent({ method: 'PUT', path: '/v1/admin/shops/hoa-mai', headers: ADMIN, body: shopBody }));
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ shopId: 'hoa-mai', timezone: 'Asia/Ho_Chi_Minh', currency: 'VND', locale: 'vi-VN', responseSlaMinutes: 15, attributionWindowDays: 7 });
    const key = await call(admin, httpEvent({ method: 'POST', path: '/v1/admin/shops/hoa-mai/api-keys', headers: ADMIN }));
    expect(key.status).toBe(201);
    apiKey = key.body.apiKey;
    expect(apiKey).toMatch(/^cp_/);
    const scan = await db().send(new ScanCommand({ TableName: tableName() }));
    expect(JSON.stringify(scan.Items)).not.toContain(apiKey);
  });

  it('refuses a page that another shop registered', async () => {
    const res = await call(admin, httpEvent({ method: 'PUT', path: '/v1/admin/shops/other', headers: ADMIN, body: shopBody }));
    expect(res.status).toBe(409);
    expect(res.body.error.details[0].path).toBe('pages');
  });

  it('authorizes shop keys: unknown keys get an empty shop and then 401', async () => {
    const ok = await authorizer({ headers: { authorization: `Bearer ${apiKey}` } } as never, lambdaContext);
    expect(ok).toEqual({ isAuthorized: true, context: { shopId: 'hoa-mai' } });
    const bad = await authorizer({ headers: { authorization: 'Bearer cp_nope' } } as never, lambdaContext);
    expect(bad).toEqual({ isAuthorized: true, context: { shopId: '' } });
    const res = await call(events, httpEvent({ method: 'POST', path: '/v1/events', body: { events: [makeMessage({ pageId: 'api-fb' })] }, authorizer: { shopId: '' } }));
    expect(res.status).toBe(401);
    const none = await call(events, httpEvent({ method: 'POST', path: '/v1/events', body: { events: [] } }));
    expect(none.status).toBe(401);
  });

  it('rejects a whole batch with an invalid event, listing index, path and message', async () => {
    const good = makeMessage({ pageId: 'api-fb' });
    const bad = { ...makeReply({ pageId: 'api-fb' }), via: 'fax' };
    const noAt = { ...makeMessage({ pageId: 'api-fb' }), at: '2026-11-20 10:00' };
    const res = await call(events, httpEvent({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${apiKey}` }, body: { events: [good, bad, noAt] } }));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { index: 1, path: 'via', message: expect.any(String) },
      { index: 2, path: 'at', message: expect.any(String) },
    ]);
    const foreign = await call(events, httpEvent({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${apiKey}` }, body: { events: [makeMessage({ pageId: 'someone-elses' })] } }));
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.details).toEqual([{ index: 0, path: 'pageId', message: 'page someone-elses is not registered for shop hoa-mai' }]);
  });

  it('answers 413 for more than 500 events', async () => {
    const many = Array.from({ length: 501 }, (_, i) => makeMessage({ id: `big-${i}`, pageId: 'api-fb' }));
    const res = await call(events, httpEvent({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${apiKey}` }, body: { events: many } }));
    expect(res.status).toBe(413);
  });

  it('accepts events, reports in-request duplicates, and ingests them exactly once', async () => {
    const now = new Date();
    const at = new Date(now.getTime() - 3_600_000).toISOString();
    const m = makeMessage({ pageId: 'api-fb', customerId: 'k1', at });
    const r = makeReply({ pageId: 'api-fb', customerId: 'k1', at: new Date(now.getTime() - 3_500_000).toISOString(), staffId: 'lan' });
    const res = await call(events, httpEvent({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${apiKey}` }, body: { events: [m, r, m] } }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 2, duplicates: 1 });
    // the same request again (a client retry) is accepted and then de-duplicated at ingest
    await call(events, httpEvent({ method: 'POST', path: '/v1/events', headers: { authorization: `Bearer ${apiKey}` }, body: { events: [m, r] } }));
    await queues.ingest.drain();
    expect(readdirSync(queues.ingest.dlqDir)).toEqual([]);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(at));
    const [p] = await getRollups('hoa-mai', 'api-fb', 'P', 'D', day, day);
    expect(p?.fields.messagesReceived).toBe(1);
    expect(p?.fields.customersCared).toBe(1);
  });
});
