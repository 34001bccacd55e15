import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { makeMessage, makeReply, makeShop } from '#test/support/factories.ts';
import { ClockedAlertQueue, MemoryMail, startReceiver, verifySignature, type Received } from '#test/support/alerts.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { putShop, forgetCachedShops } from '#lib/store/shops.ts';
import { setAlertQueue } from '#lib/alerts/queue.ts';
import { setMailTransport } from '#lib/digests/transport.ts';
import { consumeAlertMessages } from '#lib/alerts/consume.ts';
import { alertStatus } from '#lib/alerts/status.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import type { ShopInput } from '#lib/shops/schema.ts';
import { resetConfig } from '#lib/config.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OutboxTransport, SIMULATOR } from '#lib/mail/outbox.ts';
import { ALERT_TAG } from '#lib/digests/feedback.ts';
import { isSuppressed, deleteSuppression } from '#lib/store/suppressions.ts';
import { lambdaContext } from '#test/support/http.ts';
import { handler as digestFeedback } from '#functions/digest-feedback/handler.ts';

/**
 * SLA alerts with a moved clock, against DynamoDB Local. Every shop: zone
 * +07:00, working hours 08:00–22:00 every day, SLA 15 working minutes, a
 * warning 5 minutes before it: a wait opened in working hours warns at
 * +10 min and breaches at +15 min. Timer, flush and retry messages run at
 * their due time on a clocked queue (test/support/alerts.ts); each shop posts
 * to its own path of one loopback receiver and mails one address.
 */
const SECRET = 'whsec-test-0123456789abcdef';
const t = (local: string) => Date.parse(`${local}+07:00`);
const iso = (local: string) => `${local}+07:00`;

let q: ClockedAlertQueue;
let mail: MemoryMail;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

async function shopWithAlerts(shopId: string, o: Partial<ShopInput> = {}) {
  await putShop(
    makeShop(shopId, {
      pages: [{ pageId: `${shopId}-fb`, channel: 'facebook', name: 'Fanpage' }],
      alerts: { warnBeforeMinutes: 5, channels: [{ type: 'webhook', url: `${receiver.url}/hook/${shopId}`, secret: SECRET }, { type: 'email', to: `lead@${shopId}.vn` }] },
      ...o,
    }),
  );
}
const ingestAt = async (shopId: string, now: number, events: CanonicalEvent[]) => {
  q.clock = now;
  const out = await recordBatch(shopId, events, { now });
  expect(out.applied).toBe(events.length);
};
const posts = (shopId: string): Received[] => receiver.received.filter((r) => r.path === `/hook/${shopId}`);
const mails = (shopId: string) => mail.sent.filter((m) => m.to === `lead@${shopId}.vn`);
const listed = (r: Received) => (r.body.waits as Array<{ customerId: string }>).map((w) => w.customerId).sort();

describe('SLA alerts', () => {
  beforeAll(async () => {
    await createTestTable();
    receiver = await startReceiver();
    process.env.SES_FROM = 'alerts@chatpulse.test';
    resetConfig();
    mail = new MemoryMail();
    setMailTransport(mail);
  });
  beforeEach(() => {
    q = new ClockedAlertQueue();
    setAlertQueue(q);
  });
  afterAll(async () => {
    setAlertQueue(undefined);
    setMailTransport(undefined);
    await receiver.close();
  });

  it('a wait that crosses both thresholds alerts once at each, signed, at 10:10 and 10:15', async () => {
    const S = 'al-cross';
    await shopWithAlerts(S);
    await ingestAt(S, t('2026-11-20T10:00:02'), [makeMessage({ pageId: `${S}-fb`, customerId: 'c1', at: iso('2026-11-20T10:00:00') })]);
    await q.runUntil(t('2026-11-20T10:09:59'));
    expect(posts(S)).toHaveLength(0);
    await q.runUntil(t('2026-11-20T10:40:00'));
    const p = posts(S);
    expect(p.map((r) => r.body.threshold)).toEqual(['warning', 'breach']);
    for (const r of p) {
      expect(verifySignature(SECRET, r.raw, r.signature)).toBe(true);
      expect(listed(r)).toEqual(['c1']);
    }
    // groups are the minutes the thresholds were reached in (10:10, 10:15 local = 03:10, 03:15 UTC)
    expect(p.map((r) => r.body.window)).toEqual(['2026-11-20T03:10:00.000Z', '2026-11-20T03:15:00.000Z']);
    expect(p[0]!.body.waits[0]).toMatchObject({ pageId: `${S}-fb`, channel: 'facebook', customerId: 'c1', waitingSince: '2026-11-20T03:00:00.000Z', workingMinutesWaited: 11, minutesLeft: 4 });
    expect(mails(S).map((m) => m.subject)).toEqual(['[chatpulse] 1 khách sắp quá hạn trả lời (còn 5 phút)', '[chatpulse] 1 khách đã chờ quá 15 phút']);
  });

  it('a reply one second before a threshold sends nothing for it', async () => {
    const S = 'al-justintime';
    await shopWithAlerts(S);
    const m = (c: string) => makeMessage({ pageId: `${S}-fb`, customerId: c, at: iso('2026-11-20T10:00:00') });
    await ingestAt(S, t('2026-11-20T10:00:01'), [m('early'), m('late')]);
    // 'early' is answered 1 s before the warning; 'late' 1 s before the breach (after its warning)
    await q.runUntil(t('2026-11-20T10:09:58'));
    await ingestAt(S, t('2026-11-20T10:09:59'), [makeReply({ pageId: `${S}-fb`, customerId: 'early', at: iso('2026-11-20T10:09:59'), staffId: 'lan' })]);
    await q.runUntil(t('2026-11-20T10:14:58'));
    await ingestAt(S, t('2026-11-20T10:14:59'), [makeReply({ pageId: `${S}-fb`, customerId: 'late', at: iso('2026-11-20T10:14:59'), staffId: 'lan' })]);
    await q.runUntil(t('2026-11-20T11:00:00'));
    const p = posts(S);
    expect(p.map((r) => [r.body.threshold, listed(r)])).toEqual([['warning', ['late']]]);
  });

  it('a timer that fires before its batch is committed looks again and alerts once the wait is there', async () => {
    const S = 'al-before-commit';
    await shopWithAlerts(S);
    // a message that has waited 10.5 min when it arrives: its warning is due at once. The timer is queued before
    // the commit (lib/ingest/record-batch.ts); here it fires before the commit too.
    const arrived = t('2026-11-20T10:10:30');
    q.clock = arrived;
    const opened = t('2026-11-20T10:00:00');
    await q.send([{ delaySeconds: 0, body: { kind: 'timer', shopId: S, waits: [{ pageId: `${S}-fb`, customerId: 'c1', openedAt: opened }] } }]);
    await q.runUntil(arrived + 2_000);
    expect(posts(S)).toHaveLength(0);
    // the commit (without a timer of its own: only the early one exists)
    setAlertQueue(undefined);
    expect((await recordBatch(S, [makeMessage({ pageId: `${S}-fb`, customerId: 'c1', at: iso('2026-11-20T10:00:00') })], { now: arrived + 3_000 })).applied).toBe(1);
    setAlertQueue(q);
    await q.runUntil(t('2026-11-20T10:20:00'));
    expect(posts(S).map((r) => [r.body.threshold, listed(r)])).toEqual([
      ['warning', ['c1']],
      ['breach', ['c1']],
    ]);
  });

  it('a timer for a wait that never arrives gives up after a few looks and sends nothing', async () => {
    const S = 'al-never-committed';
    await shopWithAlerts(S);
    q.clock = t('2026-11-20T10:10:30');
    await q.send([{ delaySeconds: 0, body: { kind: 'timer', shopId: S, waits: [{ pageId: `${S}-fb`, customerId: 'ghost', openedAt: t('2026-11-20T10:00:00') }] } }]);
    await q.runUntil(t('2026-11-20T12:00:00'));
    expect(posts(S)).toHaveLength(0);
    expect(q.pending).toEqual([]);
  });

  it('a wait opened at night alerts at opening time plus the threshold', async () => {
    const S = 'al-night';
    await shopWithAlerts(S);
    await ingestAt(S, t('2026-11-20T23:30:01'), [makeMessage({ pageId: `${S}-fb`, customerId: 'owl', at: iso('2026-11-20T23:30:00') })]);
    await q.runUntil(t('2026-11-21T08:09:59'));
    expect(posts(S)).toHaveLength(0);
    await q.runUntil(t('2026-11-21T09:00:00'));
    const p = posts(S);
    // the clock starts at 08:00: warning at 08:10, breach at 08:15 (01:10 and 01:15 UTC)
    expect(p.map((r) => [r.body.threshold, r.body.window])).toEqual([
      ['warning', '2026-11-21T01:10:00.000Z'],
      ['breach', '2026-11-21T01:15:00.000Z'],
    ]);
    expect(p[0]!.body.waits[0].workingMinutesWaited).toBe(11);
  });

  it('redelivered timers and flushes, and a restart, send no second alert', async () => {
    const S = 'al-redeliver';
    await shopWithAlerts(S);
    await ingestAt(S, t('2026-11-20T10:00:01'), [makeMessage({ pageId: `${S}-fb`, customerId: 'r1', at: iso('2026-11-20T10:00:00') })]);
    const before = q.delivered.length;
    await q.runUntil(t('2026-11-20T10:40:00'));
    const ran = q.delivered.slice(before).filter((d) => d.body.shopId === S);
    expect(ran.map((d) => d.body.kind).sort()).toEqual(['flush', 'flush', 'timer', 'timer']);
    // every message again, as SQS may redeliver, then again after a restart (no cached shop)
    for (const round of [0, 1]) {
      if (round === 1) forgetCachedShops();
      for (const d of ran) expect(await consumeAlertMessages([{ messageId: `again-${d.id}`, body: JSON.stringify(d.body) }], () => d.at + 5_000)).toEqual([]);
      await q.runUntil(t('2026-11-20T11:00:00'));
    }
    expect(posts(S).map((r) => r.body.threshold)).toEqual(['warning', 'breach']);
    expect(mails(S)).toHaveLength(2);
  });

  it('a storm of 500 waits on one page makes one message per threshold and minute', async () => {
    const S = 'al-storm';
    await shopWithAlerts(S);
    // 500 customers write between 10:00:00 and 10:00:49.9, delivered in five ingest batches of 100
    const start = t('2026-11-20T10:00:00');
    for (let b = 0; b < 5; b++) {
      const events = Array.from({ length: 100 }, (_, i) => {
        const n = b * 100 + i;
        return makeMessage({ pageId: `${S}-fb`, customerId: `v${String(n).padStart(3, '0')}`, at: new Date(start + n * 100).toISOString() });
      });
      await ingestAt(S, start + b * 10_000 + 9_999, events);
    }
    await q.runUntil(t('2026-11-20T10:40:00'));
    const p = posts(S);
    expect(p.map((r) => r.body.threshold)).toEqual(['warning', 'breach']);
    const everyone = Array.from({ length: 500 }, (_, n) => `v${String(n).padStart(3, '0')}`);
    for (const r of p) expect(listed(r)).toEqual(everyone);
    expect(mails(S)).toHaveLength(2);
    expect(mails(S)[0]!.subject).toBe('[chatpulse] 500 khách sắp quá hạn trả lời (còn 5 phút)');
    // the status an admin reads: two groups of 500, both channels delivered at the first attempt
    const status = await alertStatus(S, new URLSearchParams({ since: '2026-11-20T00:00:00Z' }), t('2026-11-20T10:40:00'));
    expect(status.groups.map((g) => [g.threshold, g.waits, g.deliveries.map((d) => `${d.type}:${d.status}:${d.attempts}`)])).toEqual([
      ['warning', 500, ['webhook:delivered:1', 'email:delivered:1']],
      ['breach', 500, ['webhook:delivered:1', 'email:delivered:1']],
    ]);
  }, 180_000);

  it('a webhook that fails twice is retried with backoff and delivered at the third attempt', async () => {
    const S = 'al-flaky';
    await shopWithAlerts(S, { alerts: { channels: [{ type: 'webhook', url: `${receiver.url}/hook/${S}`, secret: SECRET }] } });
    receiver.failFirst.set(`/hook/${S}`, 2);
    await ingestAt(S, t('2026-11-20T10:00:01'), [makeMessage({ pageId: `${S}-fb`, customerId: 'f1', at: iso('2026-11-20T10:00:00') })]);
    await q.runUntil(t('2026-11-20T10:40:00'));
    const p = posts(S);
    // no warning set: the breach alone, sent three times with the same delivery id
    expect(p).toHaveLength(3);
    expect(new Set(p.map((r) => r.delivery)).size).toBe(1);
    const retries = q.delivered.filter((d) => d.body.kind === 'retry' && d.body.shopId === S);
    const flush = q.delivered.find((d) => d.body.kind === 'flush' && d.body.shopId === S)!;
    expect(retries.map((d) => (d.at - flush.at) / 1000)).toEqual([10, 40]);
    const status = await alertStatus(S, new URLSearchParams({ since: '2026-11-20T00:00:00Z' }), q.clock);
    expect(status.groups[0]!.deliveries).toEqual([expect.objectContaining({ type: 'webhook', status: 'delivered', attempts: 3 })]);
  });

  it('a webhook that keeps failing is dead-lettered after five attempts, with its status', async () => {
    const S = 'al-dead';
    await shopWithAlerts(S, { alerts: { channels: [{ type: 'webhook', url: `${receiver.url}/hook/${S}`, secret: SECRET }] } });
    receiver.failFirst.set(`/hook/${S}`, 100);
    await ingestAt(S, t('2026-11-20T10:00:01'), [makeMessage({ pageId: `${S}-fb`, customerId: 'd1', at: iso('2026-11-20T10:00:00') })]);
    await q.runUntil(t('2026-11-20T11:30:00'));
    expect(posts(S)).toHaveLength(5);
    expect(q.dead.filter((d) => (d.body as { shopId: string }).shopId === S)).toHaveLength(1);
    const status = await alertStatus(S, new URLSearchParams({ since: '2026-11-20T00:00:00Z' }), q.clock);
    expect(status.groups[0]!.deliveries).toEqual([expect.objectContaining({ status: 'dead_lettered', attempts: 5, lastError: 'webhook answered 500' })]);
  });

  it('an alert email that bounces suppresses its address for the shop: the next alert to it is recorded suppressed, not sent or retried', async () => {
    const S = 'al-bounce';
    const dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-alert-bounce-'));
    // the outbox plays SES's mailbox simulator; its bounce reaches the feedback function as EventBridge delivers it
    const sent: Array<{ to: string; tags: Record<string, string> | undefined }> = [];
    const outbox = new OutboxTransport(dir, () => new Date(q.clock), (detail) =>
      digestFeedback({ source: 'aws.ses', 'detail-type': 'Email Bounced', detail } as never, lambdaContext),
    );
    setMailTransport({ send: (m) => (sent.push({ to: m.to, tags: m.tags }), outbox.send(m)) });
    try {
      await shopWithAlerts(S, { alerts: { channels: [{ type: 'email', to: SIMULATOR.bounce }] } });
      await ingestAt(S, t('2026-11-20T10:00:01'), [makeMessage({ pageId: `${S}-fb`, customerId: 'b1', at: iso('2026-11-20T10:00:00') })]);
      await q.runUntil(t('2026-11-20T10:20:00'));
      // the breach went out once, tagged with its shop, and bounced: the address is suppressed for this shop only
      expect(sent).toHaveLength(1);
      expect(JSON.parse(Buffer.from(sent[0]!.tags![ALERT_TAG]!, 'base64url').toString('utf8'))).toEqual([S]);
      expect(await isSuppressed(S, SIMULATOR.bounce)).toBe(true);
      expect(await isSuppressed('al-cross', SIMULATOR.bounce)).toBe(false);
      // a second customer breaches later: nothing is sent to the suppressed address, and nothing is retried
      await ingestAt(S, t('2026-11-20T11:00:01'), [makeMessage({ pageId: `${S}-fb`, customerId: 'b2', at: iso('2026-11-20T11:00:00') })]);
      await q.runUntil(t('2026-11-20T12:00:00'));
      expect(sent).toHaveLength(1);
      expect(q.delivered.filter((d) => d.body.kind === 'retry' && d.body.shopId === S)).toHaveLength(0);
      const status = await alertStatus(S, new URLSearchParams({ since: '2026-11-20T00:00:00Z' }), q.clock);
      expect(status.groups.map((g) => g.deliveries[0]!.status).sort()).toEqual(['delivered', 'suppressed']);
      // lifted by an operator, the address gets alerts again
      await deleteSuppression(S, SIMULATOR.bounce);
      await ingestAt(S, t('2026-11-20T13:00:01'), [makeMessage({ pageId: `${S}-fb`, customerId: 'b3', at: iso('2026-11-20T13:00:00') })]);
      await q.runUntil(t('2026-11-20T14:00:00'));
      expect(sent).toHaveLength(2);
    } finally {
      setMailTransport(mail);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a shop without alert channels queues no timer', async () => {
    const S = 'al-off';
    await putShop(makeShop(S, { pages: [{ pageId: `${S}-fb`, channel: 'facebook', name: 'Fanpage' }] }));
    const before = q.pending.length + q.delivered.length;
    await ingestAt(S, t('2026-11-20T10:00:01'), [makeMessage({ pageId: `${S}-fb`, customerId: 'x', at: iso('2026-11-20T10:00:00') })]);
    expect(q.pending.length + q.delivered.length).toBe(before);
  });
});
