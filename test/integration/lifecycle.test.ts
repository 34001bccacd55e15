import { beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { db, setDb, tableName } from '#lib/store/client.ts';
import { putShop, forgetCachedShops } from '#lib/store/shops.ts';
import { createApiKey, shopOfApiKey } from '#lib/store/api-keys.ts';
import { putOrderWebhookSecret } from '#lib/store/order-secrets.ts';
import { claimDigest, markDigestSent } from '#lib/store/digest-ledger.ts';
import { setProductCosts } from '#lib/admin/order-settings.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { buildReport } from '#lib/reports/build.ts';
import { reportQuerySchema } from '#lib/reports/query.ts';
import { REPORT_NAMES } from '#lib/reports/types.ts';
import { rebuildRollups } from '#lib/admin/rebuild.ts';
import { startShopDeletion } from '#lib/lifecycle/delete-shop.ts';
import { startErasure } from '#lib/lifecycle/erase-person.ts';
import { lifecycleJobStatus, sweepLifecycleJobs } from '#lib/lifecycle/status.ts';
import { getJob, listOpenJobs } from '#lib/store/lifecycle-jobs.ts';
import { SWEEP_EVENT } from '#lib/lifecycle/schema.ts';

import { faultyClient } from '#test/support/faults.ts';
import type { Context } from 'aws-lambda';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import type { Shop } from '#lib/shops/schema.ts';

/**
 * Shop deletion and one person's erasure (SPEC §4.2), against DynamoDB Local.
 * What is left is judged from a full scan of the table, every item turned to
 * text (gzipped raw event chunks unpacked), not from the code's own idea of
 * which items belong to whom.
 */

const ADMIN = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
const NOW = Date.parse('2026-11-25T12:00:00+07:00');
const at = (day: number, hm: string) => `2026-11-${day}T${hm}:00+07:00`;

/** Every item of the table as text, raw event chunks unpacked. */
async function dumpTable(): Promise<Array<{ key: string; text: string }>> {
  const out: Array<{ key: string; text: string }> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db().send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start, ConsistentRead: true }));
    for (const item of res.Items ?? []) {
      const text = JSON.stringify(item, (_k, v) => (v instanceof Uint8Array ? (v[0] === 0x1f && v[1] === 0x8b ? gunzipSync(v).toString('utf8') : Buffer.from(v).toString('hex')) : v instanceof Set ? [...v] : v));
      out.push({ key: `${item.PK} ${item.SK}`, text });
    }
    start = res.LastEvaluatedKey;
  } while (start);
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** A shop with chat, comments and their replies, phones, phone-linked and linked orders, spend, referrals, keys, a secret, costs and a digest ledger. */
async function seedShop(shopId: string, subject: string, subjectPhone: string): Promise<Shop> {
  const fb = `${shopId}-fb`;
  const ig = `${shopId}-ig`;
  const shop = makeShop(shopId, {
    pages: [
      { pageId: fb, channel: 'facebook', name: 'Fanpage' },
      { pageId: ig, channel: 'instagram', name: 'IG' },
    ],
    staff: [{ staffId: 'lan', name: 'Lan' }],
  });
  expect(await putShop(shop)).toEqual({});
  await createApiKey(shopId, { name: 'pos' });
  await putOrderWebhookSecret(shopId, 'haravan', 'secret-of-' + shopId);
  await setProductCosts(shopId, { items: [{ sku: 'AO-1', cost: 100000 }] });
  const k = { shopId, period: 'daily' as const, periodKey: '2026-11-20', email: 'owner@hoamai.vn' };
  expect(await claimDigest(k)).toBe('claimed');
  await markDigestSent(k, 'msg-1');
  const events: CanonicalEvent[] = [];
  for (let d = 18; d <= 22; d++) {
    // the person: a message with their phone, a reply, a comment and the page's reply to it naming only the comment
    events.push({ id: `${shopId}-m-${d}`, kind: 'message.received', at: at(d, '10:00'), pageId: fb, customerId: subject, ...(d === 18 ? { phone: subjectPhone } : {}), ...(d === 19 ? { adId: 'ad-1' } : {}) });
    events.push({ id: `${shopId}-r-${d}`, kind: 'reply.sent', at: at(d, '10:07'), pageId: fb, customerId: subject, via: 'message', automated: false, staffId: 'lan' });
    events.push({ id: `${shopId}-c-${d}`, kind: 'comment.received', at: at(d, '20:00'), pageId: fb, customerId: subject, commentId: `${shopId}-cm-${d}` } as CanonicalEvent);
    events.push({ id: `${shopId}-cr-${d}`, kind: 'reply.sent', at: at(d, '20:03'), pageId: fb, via: 'comment', commentId: `${shopId}-cm-${d}`, automated: false } as CanonicalEvent);
    // others, on both pages
    for (let i = 0; i < 3; i++) {
      events.push({ id: `${shopId}-om-${d}-${i}`, kind: 'message.received', at: at(d, `1${i}:30`), pageId: i === 2 ? ig : fb, customerId: `other-${shopId}-${i}`, ...(i === 0 && d === 18 ? { phone: `0988 55${i} 10${d}` } : {}) });
      events.push({ id: `${shopId}-or-${d}-${i}`, kind: 'reply.sent', at: at(d, `1${i}:45`), pageId: i === 2 ? ig : fb, customerId: `other-${shopId}-${i}`, via: 'message', automated: false, staffId: 'lan' });
    }
    events.push({ id: `${shopId}-spend-${d}`, kind: 'ad.spend', at: at(d, '12:00'), adId: 'ad-1', amount: 50000 } as CanonicalEvent);
  }
  events.push({ id: `${shopId}-ref`, kind: 'referral.joined', at: at(20, '09:00'), pageId: fb, customerId: `other-${shopId}-1`, code: 'FRIEND', referredBy: subject } as CanonicalEvent);
  expect((await recordBatch(shopId, events, { now: NOW })).dropped).toEqual([]);
  // orders: one naming only the person's phone (in another format), one naming the conversation, one of another customer
  const orders: CanonicalEvent[] = [
    { id: `${shopId}-o1`, kind: 'order.created', at: at(19, '11:00'), orderId: `haravan:${shopId}-1`, phone: '+84' + subjectPhone.replace(/\D/g, '').slice(1), total: 350000, staffId: 'lan' } as CanonicalEvent,
    { id: `${shopId}-o2`, kind: 'order.created', at: at(21, '11:00'), orderId: `haravan:${shopId}-2`, pageId: fb, customerId: subject, total: 200000 } as CanonicalEvent,
    { id: `${shopId}-o3`, kind: 'order.created', at: at(21, '15:00'), orderId: `haravan:${shopId}-3`, pageId: fb, customerId: `other-${shopId}-0`, total: 150000 } as CanonicalEvent,
    { id: `${shopId}-o2d`, kind: 'order.delivered', at: at(22, '09:00'), orderId: `haravan:${shopId}-2` } as CanonicalEvent,
  ];
  expect((await recordBatch(shopId, orders, { now: NOW })).dropped).toEqual([]);
  forgetCachedShops();
  return shop;
}

/** Every report over every range the data spans (each day, a week, the month), without the time it was read. */
async function allReports(shop: Shop): Promise<unknown[]> {
  const ranges: Array<[string, string]> = [['2026-11-01', '2026-11-30'], ['2026-11-16', '2026-11-22'], ...[18, 19, 20, 21, 22].map((d) => [`2026-11-${d}`, `2026-11-${d}`] as [string, string])];
  const out: unknown[] = [];
  for (const [from, to] of ranges) {
    for (const name of REPORT_NAMES) {
      for (const granularity of ['day', 'hour'] as const) {
        if (granularity === 'hour' && from !== to) continue;
        const r = (await buildReport(name, shop, reportQuerySchema.parse({ from, to, granularity }), { now: NOW })) as unknown as Record<string, unknown>;
        const { generatedAt: _g, ...rest } = r;
        out.push({ name, from, to, granularity, ...rest });
      }
    }
  }
  return out;
}

describe('one person’s erasure', { timeout: 400_000 }, () => {
  const SUBJECT = 'psid-subject-770011';
  const PHONE = '0912 770 011';
  /** the phone in any format: its digits with any separators, with or without the 0/+84 prefix */
  const phoneIn = (s: string) => /912\D{0,3}770\D{0,3}011/.test(s);
  let shop: Shop;

  beforeAll(async () => {
    await createTestTable();
    shop = await seedShop('er-a', SUBJECT, PHONE);
    await seedShop('er-b', SUBJECT, PHONE); // the same ids in another shop: not this erasure's business
  });

  it('the seeded data holds the person where a careless erasure would miss them', async () => {
    const dump = await dumpTable();
    const mine = dump.filter((d) => d.key.includes('er-a'));
    const withSubject = mine.filter((d) => d.text.includes(SUBJECT) || phoneIn(d.text)).map((d) => d.key.replace(/er-a/g, '…').split(' ')[0]!.replace(/#[^#]*$/, ''));
    // conversation state, raw event chunks, the comment links, the phone link, orders
    expect(withSubject.some((k) => k.includes('#CUST'))).toBe(true);
    expect(withSubject.some((k) => k.includes('#RAW#'))).toBe(true);
    expect(withSubject.some((k) => k.includes('#COMMENT'))).toBe(true);
    expect(withSubject.some((k) => k.includes('#PHONE'))).toBe(true);
    expect(withSubject.some((k) => k.includes('#ORDER'))).toBe(true);
  });

  it('by {channel, customerId}: every report of every range is unchanged, and the ids and phone appear nowhere in the shop', async () => {
    const before = await allReports(shop);
    const otherShopBefore = (await dumpTable()).filter((d) => d.key.includes('er-b'));
    // small steps, each run as a separate call (as a job continued by later requests)
    let job = await startErasure('er-a', { channel: 'facebook', customerId: SUBJECT }, { budgetMs: 0, pageLimit: 60 });
    let calls = 1;
    expect(JSON.stringify(job)).not.toContain(SUBJECT); // the status never shows whom it erases
    while (job.status !== 'done' && calls < 500) {
      job = await lifecycleJobStatus(String(job.jobId), { budgetMs: 0, pageLimit: 60 });
      expect(JSON.stringify(job)).not.toContain(SUBJECT);
      calls++;
    }
    expect(job.status).toBe('done');
    expect(calls).toBeGreaterThan(3);
    expect(job.pass).toBe(2); // the first pass learnt the phone from a message; a second caught what came before
    expect(job.itemsChanged as number).toBeGreaterThan(0);

    forgetCachedShops();
    expect(await allReports(shop)).toEqual(before);

    const dump = await dumpTable();
    const leaks = dump.filter((d) => !d.key.includes('er-b') && (d.text.includes(SUBJECT) || phoneIn(d.text)));
    expect(leaks.map((d) => d.key)).toEqual([]);
    // the scan does see inside raw chunks: other customers are still there
    expect(dump.some((d) => d.key.includes('#RAW#') && d.key.includes('er-a') && d.text.includes('other-er-a-1'))).toBe(true);
    // the other shop keeps the same ids untouched
    expect((await dumpTable()).filter((d) => d.key.includes('er-b'))).toEqual(otherShopBefore);
  });

  it('a rebuild from the rewritten raw events gives the same figures', async () => {
    const before = await allReports(shop);
    await rebuildRollups({ shopId: 'er-a', from: '2026-11-01', to: '2026-11-30' }, NOW);
    forgetCachedShops();
    expect(await allReports(shop)).toEqual(before);
  });

  it('by {phone} over HTTP: the conversation that gave it goes too; bad bodies are 400s, an unknown shop 404', async () => {
    const shopB = (await dumpTable()).filter((d) => d.key.includes('er-b'));
    expect(shopB.some((d) => d.text.includes(SUBJECT))).toBe(true);
    const res = await call(admin, httpEvent({ method: 'POST', path: '/v1/admin/shops/er-b/erasure', headers: ADMIN, body: { phone: '+84 912 770 011' } }));
    expect([200, 202]).toContain(res.status); // 202 when the request's time budget ran out first
    expect(res.body).toMatchObject({ kind: 'erasure', shopId: 'er-b' });
    let got = res;
    for (let i = 0; got.body.status !== 'done' && i < 50; i++) got = await call(admin, httpEvent({ method: 'GET', path: `/v1/admin/jobs/${res.body.jobId}`, headers: ADMIN }));
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ kind: 'erasure', shopId: 'er-b', status: 'done', jobId: res.body.jobId });
    const dump = await dumpTable();
    expect(dump.filter((d) => d.text.includes(SUBJECT) || phoneIn(d.text)).map((d) => d.key)).toEqual([]);

    for (const bad of [{}, { channel: 'facebook' }, { channel: 'myspace', customerId: 'x' }, { phone: 'abcdefgh' }, { channel: 'facebook', customerId: 'lan' }, { channel: 'facebook', customerId: 'er-b-fb' }]) {
      const r = await call(admin, httpEvent({ method: 'POST', path: '/v1/admin/shops/er-b/erasure', headers: ADMIN, body: bad }));
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
    }
    expect((await call(admin, httpEvent({ method: 'POST', path: '/v1/admin/shops/nobody/erasure', headers: ADMIN, body: { phone: '0912770011' } }))).status).toBe(404);
    expect((await call(admin, httpEvent({ method: 'GET', path: '/v1/admin/jobs/erase-nope', headers: ADMIN }))).status).toBe(404);
  });
});

describe('shop deletion', { timeout: 400_000 }, () => {
  let apiKeyA: string;

  beforeAll(async () => {
    await createTestTable();
    await seedShop('del-a', 'psid-del-a', '0912 000 111');
    await seedShop('del-b', 'psid-del-b', '0912 000 222');
    apiKeyA = await createApiKey('del-a');
  });

  it('removes every item of the shop in resumable steps whose status counts down; the other shop is untouched', async () => {
    const before = await dumpTable();
    const neighbour = before.filter((d) => d.text.includes('del-b'));
    const mine = before.filter((d) => d.text.includes('del-a'));
    expect(mine.length).toBeGreaterThan(30);
    expect(await shopOfApiKey(apiKeyA)).toBe('del-a');

    let job = await startShopDeletion('del-a', { budgetMs: 0, pageLimit: 5 });
    // off the air at once: settings gone, key refused, page free for another shop
    expect((await call(admin, httpEvent({ method: 'GET', path: '/v1/admin/shops/del-a', headers: ADMIN }))).status).toBe(404);
    expect(await shopOfApiKey(apiKeyA)).toBeUndefined();
    const statuses = [job];
    while (job.status !== 'done' && statuses.length < 1000) {
      job = await lifecycleJobStatus(String(job.jobId), { budgetMs: 0, pageLimit: 5 });
      statuses.push(job);
    }
    expect(job).toMatchObject({ kind: 'shop-deletion', shopId: 'del-a', status: 'done', itemsLeft: 0 });
    expect(statuses.map((s) => s.status)).toContain('deleting');
    const left = statuses.filter((s) => s.status === 'deleting').map((s) => s.itemsLeft as number);
    expect(left).toEqual([...left].sort((a, b) => b - a)); // never goes up
    expect(job.itemsDeleted).toBe(job.itemsFound);

    const after = await dumpTable();
    // nothing of the shop is left but the job's own record (which expires)
    expect(after.filter((d) => d.text.includes('del-a')).map((d) => d.key)).toEqual(['JOB#delete-del-a JOB']);
    expect(after.filter((d) => d.text.includes('del-b'))).toEqual(neighbour);
    // accounting: the items found, plus what went at once (settings, directory entry, two page claims, two API keys)
    expect((job.itemsFound as number) + 6).toBe(mine.length);
  });

  it('a repeated DELETE returns the finished job; the freed page can be claimed', async () => {
    const res = await call(admin, httpEvent({ method: 'DELETE', path: '/v1/admin/shops/del-a', headers: ADMIN }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ jobId: 'delete-del-a', status: 'done' });
    const claim = await call(admin, httpEvent({ method: 'PUT', path: '/v1/admin/shops/del-c', headers: ADMIN, body: { name: 'C', pages: [{ pageId: 'del-a-fb', channel: 'facebook', name: 'P' }] } }));
    expect(claim.status).toBe(200);
    expect((await call(admin, httpEvent({ method: 'DELETE', path: '/v1/admin/shops/never-was', headers: ADMIN }))).status).toBe(404);
  });

  it('over HTTP: DELETE answers with the job, GET of the job carries it to the end', async () => {
    let res = await call(admin, httpEvent({ method: 'DELETE', path: '/v1/admin/shops/del-b', headers: ADMIN }));
    expect([200, 202]).toContain(res.status);
    expect(res.body).toMatchObject({ jobId: 'delete-del-b', kind: 'shop-deletion' });
    for (let i = 0; res.body.status !== 'done' && i < 50; i++) res = await call(admin, httpEvent({ method: 'GET', path: '/v1/admin/jobs/delete-del-b', headers: ADMIN }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'done', itemsLeft: 0 });
    expect((await dumpTable()).filter((d) => d.text.includes('del-b')).map((d) => d.key)).toEqual(['JOB#delete-del-b JOB']);
  });
});

describe('the scheduled sweep finishes jobs nobody reads', { timeout: 400_000 }, () => {
  let shopB: Shop;
  beforeAll(async () => {
    await createTestTable();
    await seedShop('sw-a', 'psid-sw-a', '0912 000 333');
    shopB = await seedShop('sw-b', 'psid-sw-b', '0912 000 444');
  });

  it('a deletion and an erasure left after their first step end done, listed no more; a sweep that dies mid-step is caught up by the next', async () => {
    const before = await dumpTable();
    const mineA = before.filter((d) => d.text.includes('sw-a'));
    const monthOf = () => Promise.all(REPORT_NAMES.map((n) => buildReport(n, shopB, reportQuerySchema.parse({ from: '2026-11-01', to: '2026-11-30' }), { now: NOW })));
    const reportsB = await monthOf();
    const deletion = await startShopDeletion('sw-a', { budgetMs: 0, pageLimit: 5 });
    const erasure = await startErasure('sw-b', { channel: 'facebook', customerId: 'psid-sw-b' }, { budgetMs: 0, pageLimit: 5 });
    expect(deletion.status).not.toBe('done');
    expect(erasure.status).not.toBe('done');
    expect((await listOpenJobs()).sort()).toEqual([String(erasure.jobId), String(deletion.jobId)].sort());

    // the schedule alone, one step of each job per run (budget 0), until the deletion is deleting
    let sweeps = 0;
    const deletionStatus = async () => String((await getJob(String(deletion.jobId)))!.job.status);
    for (; (await deletionStatus()) === 'counting' && sweeps < 500; sweeps++) await sweepLifecycleJobs({ budgetMs: 0, pageLimit: 5 });
    expect(await deletionStatus()).toBe('deleting');
    // a run killed after it deleted a page of items and before it recorded the step: the next run goes on
    const real = db();
    let writes = 0;
    setDb(faultyClient((name) => (/Write|Delete|Put|Update/.test(name) && writes++ === 1 ? new Error('killed') : undefined)));
    await expect(sweepLifecycleJobs({ budgetMs: 0, pageLimit: 5 })).rejects.toThrow('killed');
    setDb(real);
    for (; (await listOpenJobs()).length > 0 && sweeps < 2000; sweeps++) await sweepLifecycleJobs({ budgetMs: 0, pageLimit: 5 });
    expect(sweeps).toBeGreaterThan(2);
    expect(await listOpenJobs()).toEqual([]);
    const del = await lifecycleJobStatus(String(deletion.jobId));
    expect(del).toMatchObject({ status: 'done', itemsLeft: 0, itemsFound: mineA.length - 5 }); // what went at once: settings, directory entry, two page claims, one API key
    expect(await lifecycleJobStatus(String(erasure.jobId))).toMatchObject({ status: 'done' });

    const after = await dumpTable();
    expect(after.filter((d) => d.text.includes('sw-a')).map((d) => d.key)).toEqual(['JOB#delete-sw-a JOB']);
    expect(after.filter((d) => d.text.includes('psid-sw-b') || /912\D{0,3}000\D{0,3}444/.test(d.text)).map((d) => d.key)).toEqual([]);
    // the erased person's shop reads as before
    expect(await monthOf()).toEqual(reportsB);
  });

  it("the admin function answers the schedule's event with a sweep (nothing open: nothing done)", async () => {
    const res = await (admin as unknown as (e: typeof SWEEP_EVENT, c: Context) => Promise<unknown>)(SWEEP_EVENT, {} as Context);
    expect(res).toEqual({ open: 0, done: 0 });
  });
});
