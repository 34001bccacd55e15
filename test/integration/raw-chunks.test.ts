import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createTestTable } from '#test/support/table.ts';
import { faultyClient } from '#test/support/faults.ts';
import { makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { rebuildRollups } from '#lib/admin/rebuild.ts';
import { exportConversations } from '#lib/reports/export-conversations.ts';
import { getRollups } from '#lib/store/rollups.ts';
import { readRawEvents } from '#lib/store/raw.ts';
import { db, setDb, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

/**
 * Raw chunks are written plainly before the transaction of their state and
 * rollups (lib/store/ingest-store.ts). A chunk whose transaction never ran
 * stays; when its events come again in another delivery they land in a chunk
 * under other ids, so the same events are stored twice. Rebuild and the
 * conversation export must count each once: compared here with a shop that
 * received the same events once, without a crash.
 */
const DAY = '2026-08-03';
const NOW0 = Date.parse(`${DAY}T23:00:00+07:00`);
// 40 days later: the conversation's old entries are pruned from its state item, so the export reads them from raw chunks only
const NOW1 = Date.parse('2026-09-12T12:00:00+07:00');

/** One customer, 40 messages each answered 2 minutes later (80 entries: more than the pruning threshold), on DAY. */
function chat(pageId: string, extra = false): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const h = String(9 + Math.floor(i / 4)).padStart(2, '0');
    const m = (i % 4) * 15;
    out.push({ id: `m-${i}`, kind: 'message.received', at: `${DAY}T${h}:${String(m).padStart(2, '0')}:00+07:00`, pageId, customerId: 'x' } as CanonicalEvent);
    out.push({ id: `r-${i}`, kind: 'reply.sent', at: `${DAY}T${h}:${String(m + 2).padStart(2, '0')}:00+07:00`, pageId, customerId: 'x', via: 'message', automated: false, staffId: i % 2 ? 'lan' : 'minh' } as CanonicalEvent);
  }
  if (extra) out.push({ id: 'm-extra', kind: 'message.received', at: `${DAY}T21:00:00+07:00`, pageId, customerId: 'y' } as CanonicalEvent);
  return out;
}
const later = (pageId: string): CanonicalEvent[] => [{ id: 'late', kind: 'message.received', at: '2026-09-12T10:00:00+07:00', pageId, customerId: 'x' } as CanonicalEvent];

async function figures(shopId: string, pageId: string) {
  const out: Record<string, Record<string, number>> = {};
  for (const scope of ['P', 'S', 'A'] as const)
    for (const [period, a, b] of [['D', '2026-07-01', '2026-09-30'], ['W', '2026-W27', '2026-W40'], ['M', '2026-07', '2026-09']] as const)
      for (const r of await getRollups(shopId, pageId, scope, period, a, b)) {
        const f = Object.fromEntries(Object.entries(r.fields).filter(([, v]) => v !== 0));
        if (Object.keys(f).length) out[`${scope}${period}#${r.periodKey}#${r.entity ?? ''}`] = f;
      }
  return out;
}

const exportRows = async (shopId: string) => {
  const res = await exportConversations(shopId, new URLSearchParams({ from: DAY, to: DAY }), NOW1);
  if (res.format !== 'json') throw new Error('expected json');
  return res.body.rows.map((r) => ({ ...r, pageId: undefined }));
};

describe('raw chunks written before the transaction', () => {
  beforeAll(async () => {
    await createTestTable();
    for (const s of ['once', 'twice']) await putShop(makeShop(s, { pages: [{ pageId: `${s}-fb`, channel: 'facebook', name: 'p' }] }));
    // the reference: every event delivered once, then the later message that prunes the conversation
    await recordBatch('once', chat('once-fb', true), { now: NOW0 });
    await recordBatch('once', later('once-fb'), { now: NOW1 });
  });
  afterEach(() => setDb(undefined));

  it('stores the chunk even when the transaction never runs, and a redelivery in another batch stores the events again under another chunk', async () => {
    setDb(faultyClient((name) => (name.startsWith('TransactWrite') ? Object.assign(new Error('Lambda killed mid-batch'), { name: 'SimulatedCrash' }) : undefined)));
    await expect(recordBatch('twice', chat('twice-fb'), { now: NOW0 })).rejects.toThrow('Lambda killed mid-batch');
    setDb(undefined);
    // the chunk is there, the state is not
    expect((await readRawEvents('twice', 'twice-fb', DAY, DAY)).length).toBe(80);
    expect((await db().send(new GetCommand({ TableName: tableName(), Key: keys.customer('twice', 'twice-fb', 'x') }))).Item).toBeUndefined();

    // SQS redelivers the message in a batch with another one: other chunk ids, the same 80 events
    await recordBatch('twice', chat('twice-fb', true), { now: NOW0 });
    await recordBatch('twice', later('twice-fb'), { now: NOW1 });
    const raw = await readRawEvents('twice', 'twice-fb', DAY, DAY);
    expect(raw.length).toBe(80 + 81);
    expect(new Set(raw.map((e) => e.id)).size).toBe(81);
    // the conversation's entries of DAY were pruned: the export has to take them from the duplicated chunks
    const state = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.customer('twice', 'twice-fb', 'x') }))).Item!;
    expect((state.ev as string[]).length).toBeLessThan(10);
  });

  it('live figures are those of the shop that received every event once', async () => {
    const once = await figures('once', 'once-fb');
    // hand count for DAY: 41 messages from 2 customers, 40 replies (20 each by lan and minh), 1 customer cared
    expect(once['PD#2026-08-03#']).toMatchObject({ messagesReceived: 41, customersReached: 2, customersCared: 1 });
    expect(once['SD#2026-08-03#lan']).toMatchObject({ messageReplies: 20 });
    expect(await figures('twice', 'twice-fb')).toEqual(once);
  });

  it('rebuild counts each event once', async () => {
    const once = await figures('once', 'once-fb');
    const out = await rebuildRollups({ shopId: 'twice', from: '2026-08-01', to: '2026-09-12' }, NOW1);
    expect(out.events).toBe(80 + 81 + 1);
    expect(await figures('twice', 'twice-fb')).toEqual(once);
  });

  it('the conversation export counts each event once', async () => {
    const once = await exportRows('once');
    expect(once.find((r) => r.customerId === 'x')).toMatchObject({ messages: 40, replies: 40, firstResponseSeconds: 120 });
    expect(await exportRows('twice')).toEqual(once);
  });
});
