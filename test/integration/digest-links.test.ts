import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent, lambdaContext } from '#test/support/http.ts';
import { restoreEnv, TEST_SECRETS } from '#test/support/env.ts';
import { makeMessage, makeShop } from '#test/support/factories.ts';
import { getShop, putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { resetConfig } from '#lib/config.ts';
import { dispatchDueDigests, runDigestNow } from '#lib/digests/dispatch.ts';
import { parseDigestJob } from '#lib/digests/job.ts';
import { setMailTransport } from '#lib/digests/transport.ts';
import { getLedger } from '#lib/store/digest-ledger.ts';
import { setQueues, type DigestJob } from '#lib/queue/queue.ts';
import type { OutgoingMail } from '#lib/mail/types.ts';
import { handler as digestSend } from '#functions/digest-send/handler.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { handler as report } from '#functions/report/handler.ts';

/**
 * The dispatcher (and admin's digest run) signs each job's links; digest-send
 * holds no key and sends the links the job carries. Expected URLs and
 * signatures are computed here from the keys, not read from the code.
 */
const SHOP = 'dl';
const OWNER = 'owner@dl.vn';
const MANAGER = 'manager@dl.vn';
const LINK_KEY = 'digest-links-test-report-link-key-0123456789';
const AT = new Date('2026-11-23T01:00:00Z'); // Monday 08:00 in Asia/Ho_Chi_Minh: yesterday's daily and last week's weekly are due
const BASE = 'http://localhost:3000'; // PUBLIC_BASE_URL's default, which the tests run with

const hmac = (key: string, text: string) => createHmac('sha256', key).update(text).digest('base64url');
const unsubscribeLink = (email: string, period: string) =>
  `${BASE}/v1/unsubscribe?shop=${SHOP}&email=${encodeURIComponent(email)}&period=${period}&sig=${hmac(TEST_SECRETS.UNSUBSCRIBE_SIGNING_KEY, `${SHOP}\n${email}\n${period}`)}`;
/** The signed overview link of a range: the signature covers the shop, the report and the sorted query. */
const reportLink = (from: string, to: string, exp: number) =>
  `${BASE}/v1/report-pages/${SHOP}/overview?from=${from}&to=${to}&exp=${exp}&sig=${hmac(LINK_KEY, `${SHOP}\noverview\nexp=${exp}\nfrom=${from}\nto=${to}`)}`;

/** Queues that keep what is sent and dead-lettered. */
function captureQueues() {
  const sent: DigestJob[] = [];
  const dead: Array<{ job: unknown; reason: string }> = [];
  setQueues({ sendIngest: async () => undefined, sendDigestJobs: async (jobs) => void sent.push(...jobs), deadLetterDigest: async (job, reason) => void dead.push({ job, reason }) });
  return { sent, dead };
}
/** A mail transport that keeps the emails. */
function captureMail(): OutgoingMail[] {
  const mails: OutgoingMail[] = [];
  setMailTransport({ send: async (m) => (mails.push(m), { messageId: `m-${mails.length}` }) });
  return mails;
}
const sqs = (...bodies: unknown[]) => ({ Records: bodies.map((b, i) => ({ messageId: `q-${i}`, body: JSON.stringify(b), attributes: { ApproximateReceiveCount: '1' } })) }) as unknown as SQSEvent;

describe('digest links are signed by the dispatcher, sent by digest-send', () => {
  const saved = { ...process.env };
  beforeAll(async () => {
    process.env.REPORT_LINK_KEY = LINK_KEY;
    resetConfig();
    await createTestTable();
    await putShop(
      makeShop(SHOP, {
        name: 'Links',
        pages: [{ pageId: 'dl-fb', channel: 'facebook', name: 'Fanpage' }],
        recipients: [
          { email: OWNER, daily: true, weekly: true },
          { email: MANAGER, daily: true, weekly: false },
        ],
      }),
    );
    await recordBatch(SHOP, [makeMessage({ pageId: 'dl-fb', customerId: 'c1', at: '2026-11-22T20:00:00+07:00' })], { now: AT.getTime() });
  });
  afterEach(() => {
    setQueues(undefined);
    setMailTransport(undefined);
    process.env.REPORT_LINK_KEY = LINK_KEY;
    process.env.UNSUBSCRIBE_SIGNING_KEY = TEST_SECRETS.UNSUBSCRIBE_SIGNING_KEY;
    resetConfig();
  });
  afterAll(() => restoreEnv(saved));

  it('the dispatcher queues each job with its signed links, which the unsubscribe and report-page routes accept', async () => {
    const { sent } = captureQueues();
    const signedAt = Date.now(); // the routes below check expiry against the clock
    const exp = Math.floor(signedAt / 1000) + 7 * 86_400;
    await dispatchDueDigests(AT, signedAt);
    const mine = sent.filter((j) => j.shopId === SHOP);
    expect(mine).toEqual([
      { shopId: SHOP, period: 'daily', periodKey: '2026-11-22', email: OWNER, unsubscribeUrl: unsubscribeLink(OWNER, 'daily'), reportUrl: reportLink('2026-11-22', '2026-11-22', exp) },
      { shopId: SHOP, period: 'daily', periodKey: '2026-11-22', email: MANAGER, unsubscribeUrl: unsubscribeLink(MANAGER, 'daily'), reportUrl: reportLink('2026-11-22', '2026-11-22', exp) },
      // ISO week 47 of 2026: Monday 16 to Sunday 22 November
      { shopId: SHOP, period: 'weekly', periodKey: '2026-W47', email: OWNER, unsubscribeUrl: unsubscribeLink(OWNER, 'weekly'), reportUrl: reportLink('2026-11-16', '2026-11-22', exp) },
    ]);
    // what went on the queue is what digest-send accepts
    for (const j of mine) expect(parseDigestJob(JSON.parse(JSON.stringify(j)))).toEqual(j);

    // the report link opens the period's overview page without a key
    const page = new URL(mine[2]!.reportUrl!);
    const opened = await call(report, httpEvent({ method: 'GET', path: page.pathname, query: page.search.slice(1) }));
    expect(opened.status).toBe(200);
    expect(opened.headers['content-type']).toBe('text/html; charset=utf-8');

    // the manager's unsubscribe link turns off the manager's daily digest, and only that
    const unsub = new URL(mine[1]!.unsubscribeUrl);
    expect((await call(admin, httpEvent({ method: 'POST', path: unsub.pathname, query: unsub.search.slice(1) }))).status).toBe(200);
    expect((await getShop(SHOP, { fresh: true }))?.recipients).toEqual([
      expect.objectContaining({ email: OWNER, daily: true, weekly: true }),
      expect.objectContaining({ email: MANAGER, daily: false, weekly: false }),
    ]);
    await putShop({ ...(await getShop(SHOP, { fresh: true }))!, recipients: [{ email: OWNER, daily: true, weekly: true }, { email: MANAGER, daily: true, weekly: false }] });
  });

  it("admin's digest run signs its jobs the same way; without REPORT_LINK_KEY the jobs carry no report link", async () => {
    const { sent } = captureQueues();
    const signedAt = Date.parse('2026-11-24T00:00:00Z');
    expect(await runDigestNow({ shopId: SHOP, period: 'weekly', date: '2026-11-18' }, signedAt)).toEqual({ jobs: 1, period: 'weekly', periodKey: '2026-W47' });
    // 2026-11-24T00:00:00Z is 1,795,478,400 s (date -u -d … +%s); plus 7 days of 86,400 s = 1,796,083,200
    expect(sent).toEqual([{ shopId: SHOP, period: 'weekly', periodKey: '2026-W47', email: OWNER, unsubscribeUrl: unsubscribeLink(OWNER, 'weekly'), reportUrl: reportLink('2026-11-16', '2026-11-22', 1_796_083_200) }]);

    delete process.env.REPORT_LINK_KEY;
    resetConfig();
    sent.length = 0;
    await runDigestNow({ shopId: SHOP, period: 'weekly', date: '2026-11-18' }, signedAt);
    expect(sent).toEqual([{ shopId: SHOP, period: 'weekly', periodKey: '2026-W47', email: OWNER, unsubscribeUrl: unsubscribeLink(OWNER, 'weekly') }]);
  });

  it('digest-send sends the links its job carries, with no signing key configured', async () => {
    const { dead } = captureQueues();
    const mails = captureMail();
    const job = { shopId: SHOP, period: 'daily', periodKey: '2026-11-21', email: OWNER, unsubscribeUrl: unsubscribeLink(OWNER, 'daily'), reportUrl: reportLink('2026-11-21', '2026-11-21', 4_102_444_800) }; // expires 2100-01-01
    delete process.env.UNSUBSCRIBE_SIGNING_KEY;
    delete process.env.REPORT_LINK_KEY;
    resetConfig();
    const res = await digestSend(sqs(job), lambdaContext);
    expect(res.batchItemFailures).toEqual([]);
    expect(dead).toEqual([]);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toBe(OWNER);
    expect(mails[0]!.headers['List-Unsubscribe']).toBe(`<${job.unsubscribeUrl}>`);
    expect(mails[0]!.text).toContain(job.unsubscribeUrl);
    expect(mails[0]!.text).toContain(job.reportUrl);
    expect(mails[0]!.html).toContain(`href="${job.reportUrl.replace(/&/g, '&amp;')}"`);
    expect((await getLedger({ shopId: SHOP, period: 'daily', periodKey: '2026-11-21', email: OWNER }))?.status).toBe('sent');
  });

  it('a report link that expired while its job waited is left out; the digest still goes', async () => {
    captureQueues();
    const mails = captureMail();
    const expired = reportLink('2026-11-20', '2026-11-20', 1_794_528_000); // 2026-11-13T00:00:00Z, long past
    const job = { shopId: SHOP, period: 'daily', periodKey: '2026-11-20', email: OWNER, unsubscribeUrl: unsubscribeLink(OWNER, 'daily'), reportUrl: expired };
    expect((await digestSend(sqs(job), lambdaContext)).batchItemFailures).toEqual([]);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).not.toContain('/v1/report-pages/');
    expect(mails[0]!.html).not.toContain('/v1/report-pages/');
    expect(mails[0]!.headers['List-Unsubscribe']).toBe(`<${job.unsubscribeUrl}>`);
  });

  it('a job queued before the dispatcher signed links goes to the dead-letter queue at once, with the call that queues it again', async () => {
    const { dead } = captureQueues();
    const mails = captureMail();
    const old = { shopId: SHOP, period: 'weekly', periodKey: '2026-W46', email: OWNER };
    const res = await digestSend(sqs(old), lambdaContext);
    expect(res.batchItemFailures).toEqual([]); // not retried: no retry can add the links
    expect(dead).toEqual([
      {
        job: old,
        // ISO week 46 of 2026 starts on Monday 9 November
        reason: 'InvalidDigestJobError: digest job without signed links (queued before digest-dispatch signed them); queue it again: POST /v1/admin/digests/run {"shopId":"dl","period":"weekly","date":"2026-11-09"}',
      },
    ]);
    expect(mails).toEqual([]);
    expect(await getLedger({ shopId: SHOP, period: 'weekly', periodKey: '2026-W46', email: OWNER })).toBeUndefined();
  });

  it("refuses links of another recipient, shop or period, and links that are not https (http only on localhost)", async () => {
    const job = { shopId: SHOP, period: 'daily', periodKey: '2026-11-22', email: OWNER, unsubscribeUrl: unsubscribeLink(OWNER, 'daily') };
    const https = { ...job, unsubscribeUrl: job.unsubscribeUrl.replace(BASE, 'https://abc123.execute-api.ap-southeast-1.amazonaws.com') };
    expect(parseDigestJob(https)).toEqual(https);
    expect(parseDigestJob({ ...job, unsubscribeUrl: job.unsubscribeUrl.replace(BASE, 'http://127.0.0.1:49152') }).shopId).toBe(SHOP);
    const invalid = (j: object) => () => parseDigestJob(j);
    const notOurs = "InvalidDigestJobError: invalid digest job: unsubscribeUrl: the links must name this job's shop, recipient and period";
    expect(invalid({ ...job, unsubscribeUrl: unsubscribeLink(MANAGER, 'daily') })).toThrow(notOurs.replace('InvalidDigestJobError: ', ''));
    expect(invalid({ ...job, unsubscribeUrl: unsubscribeLink(OWNER, 'weekly') })).toThrow("the links must name this job's shop");
    expect(invalid({ ...job, shopId: 'other' })).toThrow("the links must name this job's shop");
    expect(invalid({ ...job, reportUrl: `${BASE}/v1/report-pages/other/overview?from=2026-11-22&to=2026-11-22&exp=1&sig=x` })).toThrow("the links must name this job's shop");
    expect(invalid({ ...job, unsubscribeUrl: job.unsubscribeUrl.replace(BASE, 'http://reports.example.com') })).toThrow('unsubscribeUrl: must be the https URL of an unsubscribe link (http only on localhost)');
    expect(invalid({ ...job, reportUrl: 'https://evil.example/phish' })).toThrow('reportUrl: must be the https URL of a report page (http only on localhost)');
    expect(invalid({ ...job, unsubscribeUrl: 'javascript:alert(1)//v1/unsubscribe' })).toThrow('unsubscribeUrl: must be the https URL of an unsubscribe link');

    // through the worker: parked at once with the reason
    const { dead } = captureQueues();
    const mails = captureMail();
    const foreign = { ...job, unsubscribeUrl: unsubscribeLink(MANAGER, 'daily') };
    expect((await digestSend(sqs(foreign), lambdaContext)).batchItemFailures).toEqual([]);
    expect(dead).toEqual([{ job: foreign, reason: notOurs }]);
    expect(mails).toEqual([]);
  });
});
