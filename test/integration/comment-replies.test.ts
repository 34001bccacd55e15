import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeShop } from '#test/support/factories.ts';
import { metaSign } from '#test/support/fixtures/platforms.ts';
import { handler as webhook } from '#functions/webhook/handler.ts';
import type { LocalQueues } from '../../scripts/local/queues.ts';
import { startTestQueues } from '#test/support/queues.ts';
import { putShop } from '#lib/store/shops.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

/**
 * A page's reply to a comment names the comment, not its author (Meta's feed
 * and Instagram webhooks). The join with the comment happens in state, so the
 * reply counts whatever the order of arrival: in the same delivery (bots
 * answer livestream comments within a second), before the comment, after it,
 * or repeated (SPEC §1.1).
 */

const NOW_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() - 2 * 3_600_000));
const t = (hhmm: string) => Date.parse(`${NOW_DAY}T${hhmm}:00+07:00`);
const secs = (hhmm: string) => Math.floor(t(hhmm) / 1000);

/** A Page feed change as Meta documents it (`created_time` in seconds). */
function feedChange(page: string, o: { from: string; commentId: string; parentId?: string; at: string }) {
  const postId = `${page}_900`;
  return {
    field: 'feed',
    value: {
      from: { id: o.from, name: o.from === page ? 'Shop' : 'Khách' },
      item: 'comment',
      verb: 'add',
      post_id: postId,
      comment_id: o.commentId,
      parent_id: o.parentId ?? postId,
      created_time: secs(o.at),
      message: o.from === page ? 'Dạ shop inbox ạ' : 'còn size M không',
    },
  };
}

function delivery(page: string, changes: object[]) {
  const raw = JSON.stringify({ object: 'page', entry: [{ id: page, time: t('12:00'), changes }] });
  return httpEvent({ method: 'POST', path: '/webhooks/meta', body: raw, headers: { 'X-Hub-Signature-256': metaSign(raw, TEST_SECRETS.META_APP_SECRET) } });
}

describe('a page reply to a comment, in any order of arrival', () => {
  let queues: LocalQueues;
  let stopQueues: () => void;
  const pages = { same: '301000000000001', before: '301000000000002', repeat: '301000000000003' };

  beforeAll(async () => {
    await createTestTable();
    ({ queues, stop: stopQueues } = startTestQueues());
    await putShop(
      makeShop('cr', {
        pages: [
          { pageId: pages.same, channel: 'facebook', name: 'Live 1' },
          { pageId: pages.before, channel: 'facebook', name: 'Live 2' },
          { pageId: pages.repeat, channel: 'facebook', name: 'Live 3' },
        ],
      }),
    );
  });
  afterAll(() => stopQueues());

  const pageDay = async (page: string) => (await getRollups('cr', page, 'P', 'D', NOW_DAY, NOW_DAY))[0]?.fields;
  const unknownStaff = async (page: string) => (await getRollups('cr', page, 'S', 'D', NOW_DAY, NOW_DAY)).find((s) => s.entity === 'unknown')?.fields;

  it('counts the reply that comes in the same delivery as its comment', async () => {
    const p = pages.same;
    // the reply is listed first: a bot's answer can precede the comment in the batch
    const res = await call(
      webhook,
      delivery(p, [feedChange(p, { from: p, commentId: '900_2', parentId: '900_1', at: '09:10' }), feedChange(p, { from: 'cust-x', commentId: '900_1', at: '09:09' })]),
    );
    expect(res).toMatchObject({ status: 200, body: { events: 2, invalid: 0 } });
    await queues.ingest.drain();
    expect(readdirSync(queues.ingest.dlqDir)).toEqual([]);
    // one customer reached and cared for; one comment reply, answered 60 s after the comment (09:09 → 09:10, working hours)
    expect(await pageDay(p)).toMatchObject({ commentsReceived: 1, customersReached: 1, customersCared: 1 });
    expect(await unknownStaff(p)).toMatchObject({ commentReplies: 1, conversationsAnswered: 1, rtSum: 60, rtCount: 1 });
  });

  it('counts the reply that arrives before its comment, in another delivery', async () => {
    const p = pages.before;
    await call(webhook, delivery(p, [feedChange(p, { from: p, commentId: '901_2', parentId: '901_1', at: '10:05' })]));
    await queues.ingest.drain();
    // parked: nothing counts yet, since the customer is unknown
    expect((await pageDay(p))?.customersCared ?? 0).toBe(0);
    await call(webhook, delivery(p, [feedChange(p, { from: 'cust-y', commentId: '901_1', at: '10:00' })]));
    await queues.ingest.drain();
    expect(await pageDay(p)).toMatchObject({ commentsReceived: 1, customersReached: 1, customersCared: 1 });
    expect(await unknownStaff(p)).toMatchObject({ commentReplies: 1, rtSum: 300, rtCount: 1 });
  });

  it('counts a reply delivered many times, before and after its comment, once', async () => {
    const p = pages.repeat;
    const reply = delivery(p, [feedChange(p, { from: p, commentId: '902_2', parentId: '902_1', at: '11:02' })]);
    await call(webhook, reply);
    await call(webhook, reply);
    await queues.ingest.drain();
    await call(webhook, delivery(p, [feedChange(p, { from: 'cust-z', commentId: '902_1', at: '11:00' }), feedChange(p, { from: 'cust-z', commentId: '902_1', at: '11:00' })]));
    await call(webhook, reply);
    await queues.ingest.drain();
    await call(webhook, reply);
    await queues.ingest.drain();
    expect(await pageDay(p)).toMatchObject({ commentsReceived: 1, customersCared: 1 });
    expect(await unknownStaff(p)).toMatchObject({ commentReplies: 1, conversationsAnswered: 1, rtSum: 120, rtCount: 1 });
  });

  it('joins comments and replies applied concurrently by separate workers', async () => {
    const page = '301000000000009';
    await putShop(makeShop('cr-race', { pages: [{ pageId: page, channel: 'facebook', name: 'Live' }] }));
    const n = 12;
    const at = (m: number) => `${NOW_DAY}T13:${String(m).padStart(2, '0')}:00+07:00`;
    const comment = (i: number): CanonicalEvent => ({ id: `c-${i}`, kind: 'comment.received', at: at(i), pageId: page, customerId: `cust-${i}`, commentId: `cm-${i}` });
    const reply = (i: number): CanonicalEvent => ({ id: `r-${i}`, kind: 'reply.sent', at: at(i + 1), pageId: page, via: 'comment', commentId: `cm-${i}`, automated: true });
    // every pair raced: the comment's worker and the reply's worker run at the same time
    await Promise.all(Array.from({ length: n }, (_, i) => [recordBatch('cr-race', [comment(i)]), recordBatch('cr-race', [reply(i)])]).flat());
    const [p] = await getRollups('cr-race', page, 'P', 'D', NOW_DAY, NOW_DAY);
    expect(p?.fields).toMatchObject({ commentsReceived: n, customersReached: n, customersCared: n });
    const auto = (await getRollups('cr-race', page, 'S', 'D', NOW_DAY, NOW_DAY)).find((s) => s.entity === 'automated');
    // each automated reply came one minute after its comment
    expect(auto?.fields).toMatchObject({ commentReplies: n, conversationsAnswered: n, rtSum: 60 * n, rtCount: n });
  });

  it('accepts a comment reply naming only its comment through /v1/events, and refuses a reply naming neither', async () => {
    const { eventSchema } = await import('#lib/events/schema.ts');
    const base = { id: 'x', kind: 'reply.sent', at: '2026-11-20T10:00:00+07:00', pageId: 'p' } as const;
    expect(eventSchema.safeParse({ ...base, via: 'comment', commentId: 'cm-1' }).success).toBe(true);
    const noCustomer = eventSchema.safeParse({ ...base, via: 'message' });
    expect(noCustomer.success).toBe(false);
    expect(noCustomer.error?.issues[0]).toMatchObject({ path: ['customerId'], message: 'customerId is required unless a comment reply names its commentId' });
  });
});
