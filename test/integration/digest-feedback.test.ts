import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent, lambdaContext } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeMessage, makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { dispatchDueDigests } from '#lib/digests/dispatch.ts';
import { sendDigest } from '#lib/digests/send.ts';
import { recordMailFeedback } from '#lib/digests/feedback.ts';
import { setMailTransport } from '#lib/digests/transport.ts';
import { OutboxTransport, SIMULATOR } from '#lib/mail/outbox.ts';
import { getLedger } from '#lib/store/digest-ledger.ts';
import { setQueues, type DigestJob } from '#lib/queue/queue.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { handler as digestFeedback } from '#functions/digest-feedback/handler.ts';

const ADMIN = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
const SHOP = 'fb';
const OWNER = 'owner@feedback.vn';
const MONDAY_8 = new Date('2026-11-23T01:00:00Z'); // 08:00 Asia/Ho_Chi_Minh
const TUESDAY_8 = new Date('2026-11-24T01:00:00Z');

describe('bounces and complaints', () => {
  let outbox: string;
  const queued: DigestJob[] = [];
  const dispatch = async (at: Date) => {
    queued.length = 0;
    await dispatchDueDigests(at, at.getTime());
    return [...queued];
  };
  const statusOf = async (date: string) => {
    const res = await call(admin, httpEvent({ method: 'GET', path: `/v1/admin/shops/${SHOP}/digests`, query: `period=daily&date=${date}`, headers: ADMIN }));
    expect(res.status).toBe(200);
    return res.body as { periodKey: string; recipients: Array<{ email: string; status: string; suppressed?: { reason: string } }> };
  };

  beforeAll(async () => {
    await createTestTable();
    outbox = mkdtempSync(path.join(tmpdir(), 'chatpulse-feedback-'));
    // the outbox plays SES's mailbox simulator; its events reach digest-feedback as EventBridge delivers them
    setMailTransport(
      new OutboxTransport(outbox, () => MONDAY_8, (detail) =>
        digestFeedback({ source: 'aws.ses', 'detail-type': detail.eventType === 'Bounce' ? 'Email Bounced' : 'Email Complaint Received', detail } as never, lambdaContext),
      ),
    );
    setQueues({ sendIngest: async () => undefined, deadLetterDigest: async () => undefined, sendDigestJobs: async (jobs) => void queued.push(...jobs) });
    await putShop(
      makeShop(SHOP, {
        pages: [{ pageId: 'fb-fb', channel: 'facebook', name: 'Fanpage' }],
        recipients: [
          { email: OWNER, daily: true, weekly: false },
          { email: SIMULATOR.bounce, daily: true, weekly: false },
          { email: SIMULATOR.complaint, daily: true, weekly: false },
        ],
      }),
    );
    await recordBatch(SHOP, [makeMessage({ pageId: 'fb-fb', customerId: 'c1', at: '2026-11-22T20:00:00+07:00' })], { now: MONDAY_8.getTime() });
  });
  afterAll(() => {
    setMailTransport(undefined);
    setQueues(undefined);
    rmSync(outbox, { recursive: true, force: true });
  });

  it('shows each recipient queued, then sent, bounced or complained', async () => {
    const jobs = await dispatch(MONDAY_8);
    expect(jobs.map((j) => j.email).sort()).toEqual([SIMULATOR.bounce, SIMULATOR.complaint, OWNER].sort());
    expect((await statusOf('2026-11-22')).recipients.map((r) => r.status)).toEqual(['queued', 'queued', 'queued']);
    for (const job of jobs) expect(await sendDigest(job, MONDAY_8)).toBe('sent');
    expect(readdirSync(outbox).filter((f) => f.endsWith('.eml'))).toHaveLength(3);
    const status = await statusOf('2026-11-22');
    expect(status.periodKey).toBe('2026-11-22');
    expect(status.recipients.map((r) => [r.email, r.status, r.suppressed?.reason])).toEqual([
      [OWNER, 'sent', undefined],
      [SIMULATOR.bounce, 'bounced', 'bounce'],
      [SIMULATOR.complaint, 'complained', 'complaint'],
    ]);
    const list = await call(admin, httpEvent({ method: 'GET', path: `/v1/admin/shops/${SHOP}/suppressions`, headers: ADMIN }));
    expect(list.body.suppressions.map((s: { email: string; reason: string }) => [s.email, s.reason]).sort()).toEqual([
      [SIMULATOR.bounce, 'bounce'],
      [SIMULATOR.complaint, 'complaint'],
    ]);
  });

  it('sends no further digest to a suppressed address for that shop, and again once the suppression is lifted', async () => {
    expect((await dispatch(TUESDAY_8)).map((j) => j.email)).toEqual([OWNER]);
    // a job queued before the bounce arrived is not sent either
    const late = { shopId: SHOP, period: 'daily' as const, periodKey: '2026-11-23', email: SIMULATOR.bounce, unsubscribeUrl: `https://api.example.com/v1/unsubscribe?shop=${SHOP}&email=${encodeURIComponent(SIMULATOR.bounce)}&period=daily&sig=x` };
    expect(await sendDigest(late, TUESDAY_8)).toBe('suppressed');
    expect((await getLedger(late))?.status).toBeUndefined();

    const lift = await call(admin, httpEvent({ method: 'DELETE', path: `/v1/admin/shops/${SHOP}/suppressions/${encodeURIComponent(SIMULATOR.complaint)}`, headers: ADMIN }));
    expect(lift.status).toBe(204);
    // the owner's digest is still only queued (not sent here), so it is queued again; the bounced address stays out
    expect((await dispatch(new Date('2026-11-24T02:00:00Z'))).map((j) => j.email).sort()).toEqual([SIMULATOR.complaint, OWNER]);
    const again = await call(admin, httpEvent({ method: 'DELETE', path: `/v1/admin/shops/${SHOP}/suppressions/${encodeURIComponent(SIMULATOR.complaint)}`, headers: ADMIN }));
    expect(again.status).toBe(404);
  });

  it('ignores transient bounces and emails that are not digests', async () => {
    const bounce = (bounceType: string, tags: Record<string, string[]>) => ({
      eventType: 'Bounce',
      mail: { messageId: 'm', tags },
      bounce: { bounceType, bouncedRecipients: [{ emailAddress: OWNER }] },
    });
    const tag = Buffer.from(JSON.stringify([SHOP, 'daily', '2026-11-22'])).toString('base64url');
    expect(await recordMailFeedback(bounce('Transient', { 'chatpulse-digest': [tag] }))).toEqual({ suppressed: [], ignored: 'transient_bounce' });
    expect(await recordMailFeedback(bounce('Permanent', {}))).toEqual({ suppressed: [], ignored: 'not_a_digest' });
    expect(await recordMailFeedback({ eventType: 'Delivery', mail: { messageId: 'm' } })).toEqual({ suppressed: [], ignored: 'not_bounce_or_complaint' });
    expect((await statusOf('2026-11-22')).recipients[0]).toMatchObject({ email: OWNER, status: 'sent' });
    expect((await statusOf('2026-11-22')).recipients[0]?.suppressed).toBeUndefined();
  });

  it('answers 400 for a bad period and 404 for an unknown shop', async () => {
    const bad = await call(admin, httpEvent({ method: 'GET', path: `/v1/admin/shops/${SHOP}/digests`, query: 'period=monthly&date=2026-11-22', headers: ADMIN }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    const unknown = await call(admin, httpEvent({ method: 'GET', path: '/v1/admin/shops/nobody/digests', query: 'period=daily&date=2026-11-22', headers: ADMIN }));
    expect(unknown.status).toBe(404);
  });
});
