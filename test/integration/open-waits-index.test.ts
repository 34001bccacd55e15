import { beforeAll, describe, expect, it } from 'vitest';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createTestTable } from '#test/support/table.ts';
import { makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { listOpenWaits } from '#lib/store/open-waits.ts';
import { migrateOpenWaits } from '#lib/migrations/open-waits.ts';
import { buildReport } from '#lib/reports/build.ts';
import { parseReportQuery } from '#lib/reports/query.ts';
import { db, tableName } from '#lib/store/client.ts';
import { keys, OPEN_WAIT_SHARDS } from '#lib/store/keys.ts';
import { TABLE } from '#lib/store/table.ts';
import { config } from '#lib/config.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

/**
 * The open-waits index on DynamoDB Local: what it holds, and the move of a
 * deployed table's open waits from GSI1 (before the index) to it.
 * Shop in +07:00, hours 08:00–22:00, SLA 15 working minutes. On 2026-11-20:
 *  a: message 09:00, lan replies 09:05, message 10:00 → open since 10:00, last reply by lan
 *  b: comment 11:00 → open since 11:00, nobody replied
 *  c: message 12:00, minh replies 12:01 → closed, not in the index
 */
const SHOP = 'ow';
const PAGE = 'ow-fb';
const NOW = Date.parse('2026-11-20T15:00:00+07:00');
const at = (hm: string) => `2026-11-20T${hm}:00+07:00`;
const events = [
  { id: 'a1', kind: 'message.received', at: at('09:00'), pageId: PAGE, customerId: 'a' },
  { id: 'a2', kind: 'reply.sent', at: at('09:05'), pageId: PAGE, customerId: 'a', via: 'message', automated: false, staffId: 'lan' },
  { id: 'a3', kind: 'message.received', at: at('10:00'), pageId: PAGE, customerId: 'a' },
  { id: 'b1', kind: 'comment.received', at: at('11:00'), pageId: PAGE, customerId: 'b', commentId: 'cb', postId: 'p' },
  { id: 'c1', kind: 'message.received', at: at('12:00'), pageId: PAGE, customerId: 'c' },
  { id: 'c2', kind: 'reply.sent', at: at('12:01'), pageId: PAGE, customerId: 'c', via: 'message', automated: false, staffId: 'minh' },
] as CanonicalEvent[];

const indexEntries = async (index: { name: string; partitionKey: string }) => {
  const out: Record<string, unknown>[] = [];
  for (let s = 0; s < OPEN_WAIT_SHARDS; s++)
    out.push(
      ...((
        await db().send(
          new QueryCommand({ TableName: tableName(), IndexName: index.name, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': index.partitionKey }, ExpressionAttributeValues: { ':pk': keys.openWaitPartition(SHOP, s) } }),
        )
      ).Items ?? []),
    );
  return out.sort((x, y) => String(x.customerId).localeCompare(String(y.customerId)));
};
const staffChat = async () => {
  const shop = makeShop(SHOP, { pages: [{ pageId: PAGE, channel: 'facebook', name: 'p' }] });
  const r = await buildReport('staff-chat', shop, parseReportQuery({ from: '2026-11-20', to: '2026-11-20' }), { now: NOW });
  return { ...r, generatedAt: undefined };
};
const expected = [
  { pageId: PAGE, customerId: 'a', openedAt: Date.parse(at('10:00')) },
  { pageId: PAGE, customerId: 'b', openedAt: Date.parse(at('11:00')) },
];

describe('the open-waits index', () => {
  beforeAll(async () => {
    await createTestTable();
    await putShop(makeShop(SHOP, { pages: [{ pageId: PAGE, channel: 'facebook', name: 'p' }] }));
    await recordBatch(SHOP, events, { now: NOW });
  });

  it('is built with an INCLUDE projection of the listed attributes', async () => {
    const c = config();
    const client = new DynamoDBClient({ region: c.AWS_REGION, endpoint: c.DYNAMODB_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName() }));
    client.destroy();
    const gsi = Table!.GlobalSecondaryIndexes!.find((g) => g.IndexName === 'OpenWaits')!;
    expect(gsi.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['pageId', 'customerId', 'channel', 'waitOpenedAt', 'lastReplyBy'] });
  });

  it('holds the open waits with those attributes only, and no conversation whose wait closed', async () => {
    const entries = await indexEntries(TABLE.openWaits);
    expect(entries.map((e) => Object.keys(e).sort())).toEqual([
      ['PK', 'SK', 'WAITPK', 'WAITSK', 'channel', 'customerId', 'lastReplyBy', 'pageId', 'waitOpenedAt'],
      ['PK', 'SK', 'WAITPK', 'WAITSK', 'channel', 'customerId', 'pageId', 'waitOpenedAt'],
    ]);
    expect(entries.map((e) => [e.customerId, e.channel, e.waitOpenedAt, e.lastReplyBy])).toEqual([
      ['a', 'facebook', Date.parse(at('10:00')), 'lan'],
      ['b', 'facebook', Date.parse(at('11:00')), undefined],
    ]);
    expect(await indexEntries(TABLE.gsi1)).toEqual([]);
    expect(await listOpenWaits(SHOP)).toEqual(expected);
  });

  it('migrates open waits a deployed table holds under GSI1 without losing or doubling one', async () => {
    const before = await staffChat();
    // a (SLA ran out 10:15) and b (11:15) are still open: "unknown" has two missed conversations, in the morning shift
    expect((before as unknown as { rows: Array<{ staffId: string; missedConversations: number; missedByShift: Record<string, number> }> }).rows.find((r) => r.staffId === 'unknown')).toMatchObject({
      missedConversations: 2,
      missedByShift: { morning: 2, afternoon: 0, evening: 0 },
    });
    // the items as the previous release wrote them: open wait under GSI1, no lastReplyBy
    for (const c of ['a', 'b']) {
      const item = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.customer(SHOP, PAGE, c) }))).Item!;
      const { WAITPK, WAITSK, lastReplyBy: _l, ...rest } = item;
      await db().send(new PutCommand({ TableName: tableName(), Item: { ...rest, GSI1PK: WAITPK, GSI1SK: WAITSK } }));
    }
    expect(await indexEntries(TABLE.openWaits)).toEqual([]);
    // in between deployment and migration, the waits are read from GSI1, each once
    expect(await listOpenWaits(SHOP)).toEqual(expected);
    expect(await staffChat()).toEqual(before);

    expect(await migrateOpenWaits()).toMatchObject({ moved: 2, skipped: 0 });
    expect(await indexEntries(TABLE.gsi1)).toEqual([]);
    expect((await indexEntries(TABLE.openWaits)).map((e) => [e.customerId, e.lastReplyBy])).toEqual([
      ['a', 'lan'],
      ['b', undefined],
    ]);
    expect(await listOpenWaits(SHOP)).toEqual(expected);
    expect(await staffChat()).toEqual(before);
    // again: nothing left to move
    expect(await migrateOpenWaits()).toMatchObject({ moved: 0 });

    // ingest after the migration: lan answers b, which leaves the index
    await recordBatch(SHOP, [{ id: 'b2', kind: 'reply.sent', at: at('13:00'), pageId: PAGE, customerId: 'b', via: 'comment', automated: false, staffId: 'lan', commentId: 'cb' } as CanonicalEvent], { now: NOW });
    expect(await listOpenWaits(SHOP)).toEqual([expected[0]]);
  });
});
