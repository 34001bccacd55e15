import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { SQSEvent } from 'aws-lambda';
import { createTestTable } from '#test/support/table.ts';
import { lambdaContext } from '#test/support/http.ts';
import { makeShop, makeMessage, makeOrder } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { sendDigest } from '#lib/digests/send.ts';
import { dispatchDueDigests, runDigestNow } from '#lib/digests/dispatch.ts';
import { setMailTransport } from '#lib/digests/transport.ts';
import { OutboxTransport } from '#lib/mail/outbox.ts';
import { PermanentMailError, SesTransport } from '#lib/mail/ses.ts';
import { getLedger } from '#lib/store/digest-ledger.ts';
import { db } from '#lib/store/client.ts';
import { handler as digestSend } from '#functions/digest-send/handler.ts';
import { FileFifo, LocalQueues } from '../../scripts/local/queues.ts';
import { setQueues, type DigestJob, type IngestMessage } from '#lib/queue/queue.ts';

const NOW = new Date('2026-11-23T01:00:00Z'); // 08:00 in Asia/Ho_Chi_Minh, a Monday
// the dispatcher signs the link; digest-send holds no key and sends it as the job carries it
const UNSUBSCRIBE = 'https://api.example.com/v1/unsubscribe?shop=dg&email=owner%40hoamai.vn&period=daily&sig=signed-by-the-dispatcher';
const job = { shopId: 'dg', period: 'daily' as const, periodKey: '2026-11-22', email: 'owner@hoamai.vn', unsubscribeUrl: UNSUBSCRIBE };

function sesClient() {
  return new SESv2Client({ region: 'ap-southeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
}
const err = (name: string) => Object.assign(new Error(name), { name });

describe('digests', () => {
  let outbox: string;
  beforeAll(async () => {
    await createTestTable();
    outbox = mkdtempSync(path.join(tmpdir(), 'chatpulse-outbox-'));
    await putShop(
      makeShop('dg', {
        name: 'Hoa Mai',
        pages: [{ pageId: 'dg-fb', channel: 'facebook', name: 'Fanpage' }],
        recipients: [
          { email: 'owner@hoamai.vn', daily: true, weekly: true },
          { email: 'manager@hoamai.vn', locale: 'en', daily: true, weekly: false },
        ],
      }),
    );
    await recordBatch('dg', [
      makeMessage({ pageId: 'dg-fb', customerId: 'c1', at: '2026-11-22T20:00:00+07:00' }),
      makeOrder({ pageId: 'dg-fb', customerId: 'c1', at: '2026-11-22T20:30:00+07:00', total: 1_250_000 }),
    ], { now: NOW.getTime() });
  });
  afterEach(() => setMailTransport(undefined));

  it('sends one email per recipient and period even when the job runs twice', async () => {
    setMailTransport(new OutboxTransport(outbox));
    expect(await sendDigest(job, NOW)).toBe('sent');
    expect(await sendDigest(job, NOW)).toBe('already_sent');
    const files = readdirSync(outbox);
    expect(files.filter((f) => f.endsWith('.eml'))).toHaveLength(1);
    const html = readFileSync(path.join(outbox, files.find((f) => f.endsWith('.html'))!), 'utf8');
    expect(html).toContain('1.250.000 ₫');
    const eml = readFileSync(path.join(outbox, files.find((f) => f.endsWith('.eml'))!), 'utf8').replace(/\r\n[ \t]+/g, ' '); // headers unfolded (RFC 5322 §2.2.3)
    expect(eml).toMatch(/^List-Unsubscribe: <https:\/\/api\.example\.com\/v1\/unsubscribe\?shop=dg&email=owner%40hoamai\.vn&period=daily&sig=signed-by-the-dispatcher>$/m);
    expect((await getLedger({ ...job, email: 'owner@hoamai.vn' }))?.status).toBe('sent');
  });

  it('claims only once the email is built: a crash while the reports are read leaves no claim behind', async () => {
    setMailTransport(new OutboxTransport(outbox));
    const j = { ...job, periodKey: '2026-11-17' };
    // what the ledger holds at the moment the first report query goes out
    let first: Promise<string> | undefined;
    const spy = 'ledger-at-first-report-read';
    db().middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand') first ??= getLedger(j).then((item) => String(item?.status ?? 'no claim'));
        return next(args);
      },
      { step: 'initialize', name: spy },
    );
    try {
      expect(await sendDigest(j, NOW)).toBe('sent');
    } finally {
      db().middlewareStack.remove(spy);
    }
    expect(await first).toBe('no claim');
    expect((await getLedger(j))?.status).toBe('sent');
    // a repeat reads the ledger and nothing else
    const reads: string[] = [];
    db().middlewareStack.add((next, context) => async (args) => (reads.push(context.commandName ?? '?'), next(args)), { step: 'initialize', name: 'count' });
    try {
      expect(await sendDigest(j, NOW)).toBe('already_sent');
    } finally {
      db().middlewareStack.remove('count');
    }
    expect(reads).toEqual(['GetItemCommand', 'GetItemCommand']); // the shop (fresh) and the ledger item
  });

  it('retries an SES throttle and sends exactly one email', async () => {
    const client = sesClient();
    const ses = mockClient(client);
    ses.on(SendEmailCommand).rejectsOnce(err('TooManyRequestsException')).resolves({ MessageId: 'm-1' });
    setMailTransport(new SesTransport(client, { attempts: 4, baseMs: 1, sleep: async () => undefined }));
    const j = { ...job, periodKey: '2026-11-21' };
    expect(await sendDigest(j, NOW)).toBe('sent');
    expect(await sendDigest(j, NOW)).toBe('already_sent');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2); // one throttled, one delivered
    expect((await getLedger(j))?.messageId).toBe('m-1');
  });

  it('releases the claim when SES fails for a while, so the redelivered job sends once', async () => {
    const client = sesClient();
    const ses = mockClient(client);
    ses.on(SendEmailCommand).rejectsOnce(err('InternalFailure')).resolves({ MessageId: 'm-2' });
    setMailTransport(new SesTransport(client, { attempts: 1, baseMs: 1, sleep: async () => undefined }));
    const j = { ...job, periodKey: '2026-11-20' };
    await expect(sendDigest(j, NOW)).rejects.toMatchObject({ name: 'InternalFailure' });
    expect((await getLedger(j))?.status).toBe('released');
    expect(await sendDigest(j, NOW)).toBe('sent');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  it('puts a permanently refused job in the dead-letter queue with the reason', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-dq-'));
    const digestQ = new FileFifo<DigestJob>(path.join(dir, 'digest'), async () => [], { maxReceives: 5, batchSize: 5, fifo: false });
    setQueues(new LocalQueues(new FileFifo<IngestMessage>(path.join(dir, 'ingest'), async () => [], { maxReceives: 5, batchSize: 10, fifo: true }), digestQ));
    const client = sesClient();
    mockClient(client).on(SendEmailCommand).rejects(err('MessageRejected'));
    setMailTransport(new SesTransport(client));
    const j = { ...job, periodKey: '2026-11-19' };
    const res = await digestSend({ Records: [{ messageId: 'q-1', body: JSON.stringify(j), attributes: { ApproximateReceiveCount: '1' } }] } as unknown as SQSEvent, lambdaContext);
    expect(res.batchItemFailures).toEqual([]); // not retried: parked
    const dead = readdirSync(digestQ.dlqDir).map((f) => JSON.parse(readFileSync(path.join(digestQ.dlqDir, f), 'utf8')));
    expect(dead).toEqual([expect.objectContaining({ body: j, reason: expect.stringContaining('MessageRejected') })]);
    expect((await getLedger(j))?.status).toBe('failed');
    expect(PermanentMailError.name).toBe('PermanentMailError');
    setQueues(undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('dispatches what is due (daily, on Mondays weekly) and not yet sent, and runs one on demand', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-dd-'));
    const sent: DigestJob[] = [];
    const digestQ = new FileFifo<DigestJob>(path.join(dir, 'digest'), async () => [], { maxReceives: 5, batchSize: 5, fifo: false });
    const queues = new LocalQueues(new FileFifo<IngestMessage>(path.join(dir, 'ingest'), async () => [], { maxReceives: 5, batchSize: 10, fifo: true }), digestQ);
    setQueues({ ...queues, sendIngest: queues.sendIngest.bind(queues), deadLetterDigest: queues.deadLetterDigest.bind(queues), sendDigestJobs: async (jobs) => void sent.push(...jobs) });
    const got = () => sent.filter((s) => s.shopId === 'dg').map((s) => [s.period, s.periodKey, s.email]);
    // Monday 06:00 local: Saturday's digest (due Sunday 08:00) is still within the catch-up window;
    // the owner had it (the throttle test above), the manager did not
    await dispatchDueDigests(new Date('2026-11-22T23:00:00Z'));
    expect(got()).toEqual([['daily', '2026-11-21', 'manager@hoamai.vn']]);
    sent.length = 0;
    await dispatchDueDigests(NOW); // Monday 08:00 local; the owner had Sunday's daily (first test)
    expect(got()).toEqual([
      ['daily', '2026-11-22', 'manager@hoamai.vn'],
      ['weekly', '2026-W47', 'owner@hoamai.vn'],
    ]);
    expect((await getLedger({ shopId: 'dg', period: 'weekly', periodKey: '2026-W47', email: 'owner@hoamai.vn' }))?.status).toBe('queued');
    sent.length = 0;
    expect(await runDigestNow({ shopId: 'dg', period: 'weekly', date: '2026-11-18' })).toEqual({ jobs: 1, period: 'weekly', periodKey: '2026-W47' });
    await expect(runDigestNow({ shopId: 'dg', period: 'monthly', date: '2026-11-18' })).rejects.toMatchObject({ status: 400 });
    setQueues(undefined);
    rmSync(dir, { recursive: true, force: true });
  });
});
