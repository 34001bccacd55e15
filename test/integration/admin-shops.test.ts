import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { forgetCachedShops } from '#lib/store/shops.ts';

const ADMIN = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
const req = (method: string, path: string, body?: unknown, query?: string) =>
  call(admin, httpEvent({ method, path, headers: ADMIN, ...(body === undefined ? {} : { body: body as object }), ...(query ? { query } : {}) }));

const body = {
  name: 'Hoa Mai',
  pages: [{ pageId: 'settings-fb', channel: 'facebook', name: 'Fanpage' }],
  staff: [{ staffId: 'lan', name: 'Lan', accounts: [{ channel: 'facebook', id: 'psid-lan' }] }],
  recipients: [{ email: 'owner@hoamai.vn', daily: true, weekly: false }],
};

/** Who holds a page, read straight from the table (not through the code under test). */
async function pageOwner(pageId: string): Promise<string | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: { PK: `PAGE#${pageId}`, SK: 'REF' }, ConsistentRead: true }));
  return res.Item?.shopId as string | undefined;
}

describe('shop settings: read, list, merge patch', () => {
  beforeAll(async () => {
    await createTestTable();
  });

  it('GET returns what PUT stored; an unknown shop is a 404 in the error shape', async () => {
    const put = await req('PUT', '/v1/admin/shops/set-a', body);
    expect(put.status).toBe(200);
    const got = await req('GET', '/v1/admin/shops/set-a');
    expect(got.status).toBe(200);
    expect(got.body).toEqual(put.body);
    const missing = await req('GET', '/v1/admin/shops/nobody');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('PATCH of the working hours keeps staff, recipients and pages (the README example)', async () => {
    const before = (await req('GET', '/v1/admin/shops/set-a')).body;
    const hours = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }];
    const res = await req('PATCH', '/v1/admin/shops/set-a', { workingHours: hours });
    expect(res.status).toBe(200);
    const after = (await req('GET', '/v1/admin/shops/set-a')).body;
    expect(after.workingHours).toEqual(hours);
    expect(after.staff).toEqual(body.staff.map((s) => ({ ...s })));
    expect(after.recipients).toEqual([{ email: 'owner@hoamai.vn', daily: true, weekly: false }]);
    expect(after.pages).toEqual(body.pages);
    const { workingHours: _a, updatedAt: _b, ...restBefore } = before;
    const { workingHours: _c, updatedAt: _d, ...restAfter } = after;
    expect(restAfter).toEqual(restBefore);
  });

  it('PATCH: null puts an optional field back to its default, arrays replace, a bad result is a 400 and stores nothing', async () => {
    await req('PATCH', '/v1/admin/shops/set-a', { responseSlaMinutes: 30, staff: [{ staffId: 'minh', name: 'Minh' }] });
    let got = (await req('GET', '/v1/admin/shops/set-a')).body;
    expect(got.responseSlaMinutes).toBe(30);
    expect(got.staff).toEqual([{ staffId: 'minh', name: 'Minh', accounts: [] }]);
    await req('PATCH', '/v1/admin/shops/set-a', { responseSlaMinutes: null });
    got = (await req('GET', '/v1/admin/shops/set-a')).body;
    expect(got.responseSlaMinutes).toBe(15); // SPEC default
    const bad = await req('PATCH', '/v1/admin/shops/set-a', { name: null, currency: 'dong' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['currency', 'name']);
    expect((await req('GET', '/v1/admin/shops/set-a')).body).toEqual(got);
    expect((await req('PATCH', '/v1/admin/shops/set-a', [1])).status).toBe(400);
    expect((await req('PATCH', '/v1/admin/shops/nobody', { name: 'x' })).status).toBe(404);
  });

  it('concurrent PATCHes of different fields all land (no lost update)', async () => {
    await req('PUT', '/v1/admin/shops/set-b', { ...body, pages: [] });
    // each patch names a different field; without the version condition the last writer would undo the others
    const patches = [
      { name: 'Renamed' },
      { responseSlaMinutes: 42 },
      { attributionWindowDays: 9 },
      { digestHour: 6 },
      { locale: 'en' },
      { currency: 'USD' },
      { timezone: 'Asia/Bangkok' },
      { closedDates: ['2027-02-17'] },
    ];
    const results = await Promise.all(patches.map((p) => req('PATCH', '/v1/admin/shops/set-b', p)));
    expect(results.map((r) => r.status)).toEqual(patches.map(() => 200));
    const got = (await req('GET', '/v1/admin/shops/set-b')).body;
    expect(got).toMatchObject(Object.assign({}, ...patches));
    expect(got.staff).toEqual([{ staffId: 'lan', name: 'Lan', accounts: [{ channel: 'facebook', id: 'psid-lan' }] }]);
  });

  it('lists every shop across cursor pages, each once', async () => {
    for (const id of ['list-1', 'list-2', 'list-3', 'list-4', 'list-5']) await req('PUT', `/v1/admin/shops/${id}`, { name: id });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await req('GET', '/v1/admin/shops', undefined, `limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.shops.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.shops.map((s: { shopId: string }) => s.shopId));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen.filter((s) => s.startsWith('list-'))).toEqual(['list-1', 'list-2', 'list-3', 'list-4', 'list-5']);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await req('GET', '/v1/admin/shops', undefined, 'limit=0')).status).toBe(400);
    expect((await req('GET', '/v1/admin/shops', undefined, 'cursor=%%%')).status).toBe(400);
  });
});

describe('a page belongs to one shop', () => {
  beforeAll(async () => {
    await createTestTable();
  });

  it('of many concurrent claims of one page (PUT and PATCH, many shops) exactly one succeeds', async () => {
    for (let round = 0; round < 5; round++) {
      const page = `contested-${round}`;
      const shops = Array.from({ length: 6 }, (_, i) => `claim-${round}-${i}`);
      // half the shops exist already and claim by PATCH, half claim by PUT
      for (const s of shops.slice(3)) await req('PUT', `/v1/admin/shops/${s}`, { name: s });
      forgetCachedShops();
      const results = await Promise.all(
        shops.map((s, i) =>
          i < 3
            ? req('PUT', `/v1/admin/shops/${s}`, { name: s, pages: [{ pageId: page, channel: 'facebook', name: 'P' }] })
            : req('PATCH', `/v1/admin/shops/${s}`, { pages: [{ pageId: page, channel: 'facebook', name: 'P' }] }),
        ),
      );
      const winners = shops.filter((_, i) => results[i]!.status === 200);
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status !== 200) expect(r.body.error.code).toBe('conflict');
      expect(await pageOwner(page)).toBe(winners[0]);
      // only the winner lists the page in its stored settings
      const listing = await Promise.all(shops.map(async (s) => ((await req('GET', `/v1/admin/shops/${s}`)).body.pages ?? []).length));
      expect(listing).toEqual(shops.map((s) => (s === winners[0] ? 1 : 0)));
    }
  });

  it('a page dropped by its shop can be claimed by another; a held one cannot', async () => {
    await req('PUT', '/v1/admin/shops/hold-a', { name: 'A', pages: [{ pageId: 'moving', channel: 'facebook', name: 'P' }] });
    expect((await req('PUT', '/v1/admin/shops/hold-b', { name: 'B', pages: [{ pageId: 'moving', channel: 'facebook', name: 'P' }] })).status).toBe(409);
    expect((await req('PATCH', '/v1/admin/shops/hold-a', { pages: [] })).status).toBe(200);
    expect(await pageOwner('moving')).toBeUndefined();
    expect((await req('PUT', '/v1/admin/shops/hold-b', { name: 'B', pages: [{ pageId: 'moving', channel: 'facebook', name: 'P' }] })).status).toBe(200);
    expect(await pageOwner('moving')).toBe('hold-b');
  });
});

describe('alert webhook secrets are write-only', () => {
  const SECRET = 'whsec-hoa-mai-0123456789-wxyz';
  const HOOK = 'https://ops.hoamai.vn/chatpulse';
  const alerts = { warnBeforeMinutes: 5, channels: [{ type: 'webhook', url: HOOK, secret: SECRET }, { type: 'email', to: 'ca@hoamai.vn' }] };
  const shown = { warnBeforeMinutes: 5, channels: [{ type: 'webhook', url: HOOK, secretSet: true, secretLast4: 'wxyz' }, { type: 'email', to: 'ca@hoamai.vn' }] };
  /** The secret as stored, read straight from the table. */
  const storedChannels = async (shopId: string) =>
    ((await db().send(new GetCommand({ TableName: tableName(), Key: { PK: `SHOP#${shopId}`, SK: 'CONFIG' }, ConsistentRead: true }))).Item?.shop?.alerts as { channels: Array<Record<string, unknown>> }).channels;

  beforeAll(async () => {
    await createTestTable();
  });

  it('PUT, GET, PATCH and the shop list never return the secret; it is stored and kept', async () => {
    const put = await req('PUT', '/v1/admin/shops/sec-a', { ...body, pages: [{ pageId: 'sec-a-fb', channel: 'facebook', name: 'Fanpage' }], alerts });
    expect(put.status).toBe(200);
    const answers = [put, await req('GET', '/v1/admin/shops/sec-a'), await req('PATCH', '/v1/admin/shops/sec-a', { responseSlaMinutes: 20 }), await req('GET', '/v1/admin/shops', undefined, 'limit=100')];
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(JSON.stringify(a.body)).not.toContain(SECRET);
      expect(JSON.stringify(a.body)).not.toContain('0123456789');
    }
    expect(answers[1]!.body.alerts).toEqual(shown);
    expect(answers[2]!.body.alerts).toEqual(shown);
    expect(answers[3]!.body.shops.find((s: { shopId: string }) => s.shopId === 'sec-a').alerts).toEqual(shown);
    forgetCachedShops();
    expect((await storedChannels('sec-a'))[0]).toEqual({ type: 'webhook', url: HOOK, secret: SECRET });
  });

  it('a GET body sent back as PUT, or a PATCH of the channels without secret, keeps the stored secret for the same URL', async () => {
    const got = (await req('GET', '/v1/admin/shops/sec-a')).body;
    const { shopId: _id, updatedAt: _at, ...settings } = got;
    const again = await req('PUT', '/v1/admin/shops/sec-a', { ...settings, name: 'Hoa Mai 2' });
    expect(again.status).toBe(200);
    expect((await storedChannels('sec-a'))[0]!.secret).toBe(SECRET);
    const patched = await req('PATCH', '/v1/admin/shops/sec-a', { alerts: { channels: [{ type: 'webhook', url: HOOK }] } });
    expect(patched.status).toBe(200);
    expect(patched.body.alerts.channels).toEqual([{ type: 'webhook', url: HOOK, secretSet: true, secretLast4: 'wxyz' }]);
    expect(await storedChannels('sec-a')).toEqual([{ type: 'webhook', url: HOOK, secret: SECRET }]);
  });

  it('a new URL without a secret is a 400 naming the field; a new secret replaces the old one', async () => {
    const bad = await req('PATCH', '/v1/admin/shops/sec-a', { alerts: { channels: [{ type: 'webhook', url: 'https://other.hoamai.vn/hook' }] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('secret');
    expect(await storedChannels('sec-a')).toEqual([{ type: 'webhook', url: HOOK, secret: SECRET }]);
    const rotated = await req('PATCH', '/v1/admin/shops/sec-a', { alerts: { channels: [{ type: 'webhook', url: HOOK, secret: 'whsec-rotated-9876543210-abcd' }] } });
    expect(rotated.body.alerts.channels[0]).toEqual({ type: 'webhook', url: HOOK, secretSet: true, secretLast4: 'abcd' });
    expect((await storedChannels('sec-a'))[0]!.secret).toBe('whsec-rotated-9876543210-abcd');
  });
});
