import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestTable } from '#test/support/table.ts';
import { makeMessage, makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { dispatchDueDigests } from '#lib/digests/dispatch.ts';
import { sendDigest } from '#lib/digests/send.ts';
import { setMailTransport } from '#lib/digests/transport.ts';
import { OutboxTransport } from '#lib/mail/outbox.ts';
import { getLedger } from '#lib/store/digest-ledger.ts';
import { setQueues, type DigestJob, type Queues } from '#lib/queue/queue.ts';

// Asia/Ho_Chi_Minh is UTC+7 all year: 08:00 local on Monday 2026-11-23 is 01:00Z.
const hour = (iso: string) => new Date(iso);
const OWNER = 'owner@catchup.vn';
const MANAGER = 'manager@catchup.vn';

describe('digests catch up', () => {
  let outbox: string;
  const queued: DigestJob[] = [];
  /** What the run queued, then each job handed to the sender as digest-send would (twice: a redelivery). */
  async function runAndSend(at: Date): Promise<Array<[string, string, string]>> {
    queued.length = 0;
    await dispatchDueDigests(at, at.getTime());
    const got = queued.map((j) => [j.period, j.periodKey, j.email] as [string, string, string]);
    for (const job of [...queued, ...queued]) await sendDigest(job, at);
    return got;
  }
  const emails = () => readdirSync(outbox).filter((f) => f.endsWith('.eml')).sort();

  beforeAll(async () => {
    await createTestTable();
    outbox = mkdtempSync(path.join(tmpdir(), 'chatpulse-catchup-'));
    setMailTransport(new OutboxTransport(outbox, () => new Date('2026-11-23T04:00:00Z')));
    const fake: Queues = { sendIngest: async () => undefined, deadLetterDigest: async () => undefined, sendDigestJobs: async (jobs) => void queued.push(...jobs) };
    setQueues(fake);
    await putShop(
      makeShop('cu', {
        pages: [{ pageId: 'cu-fb', channel: 'facebook', name: 'Fanpage' }],
        recipients: [
          { email: OWNER, daily: true, weekly: true },
          { email: MANAGER, daily: true, weekly: false },
        ],
      }),
    );
    await recordBatch('cu', [makeMessage({ pageId: 'cu-fb', customerId: 'c1', at: '2026-11-22T20:00:00+07:00' })], { now: Date.parse('2026-11-23T00:00:00Z') });
  });
  afterAll(() => {
    setMailTransport(undefined);
    setQueues(undefined);
    rmSync(outbox, { recursive: true, force: true });
  });

  it('sends the daily digest at the digest hour', async () => {
    // Sunday 08:00 local: Saturday's digest is due; Friday's fell due exactly 24 hours ago, past the window
    expect(await runAndSend(hour('2026-11-22T01:00:00Z'))).toEqual([
      ['daily', '2026-11-21', OWNER],
      ['daily', '2026-11-21', MANAGER],
    ]);
    expect(emails()).toHaveLength(2);
  });

  it('after three skipped runs (08:00, 09:00, 10:00 local), the 11:00 run sends each due digest exactly once', async () => {
    // the runs at 01:00Z, 02:00Z and 03:00Z never happened
    expect(await runAndSend(hour('2026-11-23T04:00:00Z'))).toEqual([
      ['daily', '2026-11-22', OWNER],
      ['daily', '2026-11-22', MANAGER],
      ['weekly', '2026-W47', OWNER],
    ]);
    for (const [period, periodKey, email] of [['daily', '2026-11-22', OWNER], ['daily', '2026-11-22', MANAGER], ['weekly', '2026-W47', OWNER]] as const)
      expect((await getLedger({ shopId: 'cu', period, periodKey, email }))?.status, `${period} ${email}`).toBe('sent');
    expect(emails()).toHaveLength(5); // each job was handed over twice; the ledger let one through
  });

  it('a run repeated at the same hour, and the runs after it, send nothing more', async () => {
    expect(await runAndSend(hour('2026-11-23T04:00:00Z'))).toEqual([]);
    expect(await runAndSend(hour('2026-11-23T05:00:00Z'))).toEqual([]);
    expect(await runAndSend(hour('2026-11-24T00:00:00Z'))).toEqual([]); // Tuesday 07:00 local, Monday's digests within the window but sent
    expect(emails()).toHaveLength(5);
  });

  it('the next day sends only the next daily digest', async () => {
    expect(await runAndSend(hour('2026-11-24T01:00:00Z'))).toEqual([
      ['daily', '2026-11-23', OWNER],
      ['daily', '2026-11-23', MANAGER],
    ]);
    expect(emails()).toHaveLength(7);
  });

  it('gives up on a digest more than 24 hours past its hour (the next day\'s is due by then)', async () => {
    await putShop(makeShop('late', { pages: [{ pageId: 'late-fb', channel: 'facebook', name: 'Fanpage' }], recipients: [{ email: 'a@late.vn', daily: true, weekly: false }] }));
    // Thursday 08:00 local is 2026-11-26T01:00Z; every run since Wednesday 08:00 local was missed
    expect((await runAndSend(hour('2026-11-26T00:59:00Z'))).filter(([, , e]) => e === 'a@late.vn')).toEqual([['daily', '2026-11-24', 'a@late.vn']]);
    expect((await runAndSend(hour('2026-11-26T01:00:00Z'))).filter(([, , e]) => e === 'a@late.vn')).toEqual([['daily', '2026-11-25', 'a@late.vn']]);
  });
});
