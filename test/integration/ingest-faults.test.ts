import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { faultyClient } from '#test/support/faults.ts';
import { makeMessage, makeOrder, makeReply, makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { rebuildRollups } from '#lib/admin/rebuild.ts';
import { getRollups } from '#lib/store/rollups.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, setDb, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';

const NOW = Date.parse('2026-11-25T12:00:00+07:00');

async function allRollups(shopId: string, pageId: string) {
  const out: Record<string, Record<string, number>> = {};
  for (const scope of ['P', 'S', 'A'] as const)
    for (const [period, a, b] of [['D', '2026-11-01', '2026-11-30'], ['W', '2026-W40', '2026-W52'], ['M', '2026-10', '2026-12']] as const)
      for (const r of await getRollups(shopId, pageId, scope, period, a, b)) out[`${scope}${period}#${r.periodKey}#${r.entity ?? ''}`] = r.fields;
  return out;
}

/** 150 customers × (message, reply) + 20 orders: several transactions per batch. */
function bigBatch(pageId: string): CanonicalEvent[] {
  const events: CanonicalEvent[] = [];
  for (let i = 0; i < 150; i++) {
    const customerId = `c${i}`;
    const minute = String(i % 60).padStart(2, '0');
    events.push(makeMessage({ id: `m-${i}`, pageId, customerId, at: `2026-11-20T10:${minute}:00+07:00` }));
    if (i % 3 === 0) events.push(makeReply({ id: `r-${i}`, pageId, customerId, at: `2026-11-20T11:${minute}:00+07:00`, staffId: i % 2 ? 'lan' : 'minh' }));
    if (i % 10 === 0) events.push(makeOrder({ id: `o-${i}`, orderId: `order-${i}`, pageId, customerId, total: 100000 + i, at: `2026-11-20T12:${minute}:00+07:00` }));
  }
  return events;
}

describe('ingest under crashes', () => {
  beforeAll(createTestTable);
  afterEach(() => setDb(undefined));

  it('gives the reference figures after a crash between the transactions of a batch, then redelivery', async () => {
    await putShop(makeShop('ref', { pages: [{ pageId: 'ref-fb', channel: 'facebook', name: 'p' }] }));
    let transactions = 0;
    setDb(faultyClient((name) => void (name.startsWith('TransactWrite') && transactions++)));
    await recordBatch('ref', bigBatch('ref-fb'), { now: NOW });
    setDb(undefined);
    expect(transactions).toBeGreaterThanOrEqual(2); // so there is a "between"
    const reference = await allRollups('ref', 'ref-fb');
    const f = reference['PD#2026-11-20#']!;
    // hand-computed: 150 customers wrote, 50 were answered, 15 orders of 100000 + i for i = 0, 10, …, 140
    expect(f.messagesReceived).toBe(150);
    expect(f.customersReached).toBe(150);
    expect(f.customersCared).toBe(50);
    expect(f.ordersCreated).toBe(15);
    expect(f.revenueMinor).toBe(15 * 100000 + (0 + 140) * 15 / 2);

    for (let crashAt = 1; crashAt < transactions; crashAt++) {
      const shopId = `crash${crashAt}`;
      const pageId = `${shopId}-fb`;
      await putShop(makeShop(shopId, { pages: [{ pageId, channel: 'facebook', name: 'p' }] }));
      let crashed = false;
      setDb(
        faultyClient((name, n) => {
          if (name.startsWith('TransactWrite') && n === crashAt && !crashed) {
            crashed = true;
            return Object.assign(new Error('Lambda killed mid-batch'), { name: 'SimulatedCrash' });
          }
          return undefined;
        }),
      );
      await expect(recordBatch(shopId, bigBatch(pageId), { now: NOW })).rejects.toThrow('Lambda killed mid-batch');
      expect(crashed).toBe(true);
      setDb(undefined);
      // SQS redelivers the whole message, twice for good measure
      await recordBatch(shopId, bigBatch(pageId), { now: NOW });
      const again = await recordBatch(shopId, bigBatch(pageId), { now: NOW });
      expect(again.applied).toBe(0);
      expect(await allRollups(shopId, pageId)).toEqual(reference);
    }
  });

  it('rides out throttling and transaction conflicts injected on the wire', async () => {
    await putShop(makeShop('throttle', { pages: [{ pageId: 'throttle-fb', channel: 'facebook', name: 'p' }] }));
    let injected = 0;
    setDb(
      faultyClient((name, n) => {
        if (!name.startsWith('TransactWrite')) return undefined;
        if (n === 0 || n === 2) {
          injected++;
          // DynamoDB cancelling a transaction because another one touched the same item
          return Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }] });
        }
        if (n === 1) {
          injected++;
          return Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ThrottlingException' });
        }
        return undefined;
      }),
    );
    // the throttle escapes (the SDK's own retries are off in this client): the batch fails and is redelivered
    await expect(recordBatch('throttle', bigBatch('throttle-fb'), { now: NOW })).rejects.toThrow('Throughput exceeds');
    await recordBatch('throttle', bigBatch('throttle-fb'), { now: NOW });
    setDb(undefined);
    expect(injected).toBe(3);
    const f = (await allRollups('throttle', 'throttle-fb'))['PD#2026-11-20#']!;
    expect([f.messagesReceived, f.customersReached, f.customersCared, f.ordersCreated]).toEqual([150, 150, 50, 15]);
  });

  it('recomputes after a version conflict with a concurrent writer', async () => {
    await putShop(makeShop('race', { pages: [{ pageId: 'race-fb', channel: 'facebook', name: 'p' }] }));
    const events = bigBatch('race-fb');
    const half = events.filter((_, i) => i % 2 === 0);
    const other = events.filter((_, i) => i % 2 === 1);
    // two workers on overlapping customers at once (e.g. orders group vs page group)
    await Promise.all([recordBatch('race', half, { now: NOW }), recordBatch('race', other, { now: NOW })]);
    const f = (await allRollups('race', 'race-fb'))['PD#2026-11-20#']!;
    expect(f.messagesReceived).toBe(150);
    expect(f.customersReached).toBe(150);
    expect(f.customersCared).toBe(50);
    expect(f.ordersCreated).toBe(15);
  });

  it('rebuilds rollups from raw events with identical figures', async () => {
    await putShop(makeShop('rb', { pages: [{ pageId: 'rb-fb', channel: 'facebook', name: 'p' }] }));
    await recordBatch('rb', bigBatch('rb-fb'), { now: NOW });
    await recordBatch('rb', [makeMessage({ pageId: 'rb-fb', customerId: 'c1', at: '2026-11-03T23:30:00+07:00' })], { now: NOW });
    const before = await allRollups('rb', 'rb-fb');
    // damage the stored figures: a wrong count, and an item that should not exist
    await db().send(new UpdateCommand({ TableName: tableName(), Key: keys.rollup('rb', 'rb-fb', 'P', 'D', '2026-11-20'), UpdateExpression: 'ADD messagesReceived :x', ExpressionAttributeValues: { ':x': 7 } }));
    await db().send(new PutCommand({ TableName: tableName(), Item: { ...keys.rollup('rb', 'rb-fb', 'S', 'D', '2026-11-21', 'ghost'), messageReplies: 3 } }));
    expect(await allRollups('rb', 'rb-fb')).not.toEqual(before);
    const out = await rebuildRollups({ shopId: 'rb', pageId: 'rb-fb', from: '2026-11-01', to: '2026-11-30' }, NOW);
    expect(out.events).toBe(150 + 50 + 15 + 1);
    expect(await allRollups('rb', 'rb-fb')).toEqual(before);
  });
});
