import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { config } from '#lib/config.ts';
import { meterWrites, type WriteMeter } from '../../bench/meter.ts';

/**
 * The benchmark's write meter against DynamoDB's billing rules, on items
 * whose sizes are set by hand: an item of key `PK`=`x` (2 + 1 bytes) and
 * `SK`=`y` (2 + 1 bytes) plus a string attribute `p` of n characters weighs
 * 6 + 1 + n bytes.
 */
const item = (pk: string, bytes: number, extra: Record<string, unknown> = {}) => ({ PK: pk, SK: 'y', p: 'a'.repeat(bytes - 6 - 1 - pk.length + 1), ...extra });

let doc: DynamoDBDocumentClient;
let meter: WriteMeter;
const table = () => config().TABLE_NAME;

describe('write meter', () => {
  beforeAll(async () => {
    await createTestTable();
    const c = config();
    doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: c.DYNAMODB_ENDPOINT!, region: 'local', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } }));
    meter = meterWrites(doc, table());
  });
  beforeEach(() => meter.reset());

  it('charges a transactional put 2 units per KB and a condition check like a transactional write', async () => {
    await doc.send(new PutCommand({ TableName: table(), Item: item('c', 300) }));
    meter.reset();
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table(), Item: item('t', 1500) } }, // 2 KB → 4
          { ConditionCheck: { TableName: table(), Key: { PK: 'c', SK: 'y' }, ConditionExpression: 'attribute_exists(PK)' } }, // 1 KB → 2
        ],
      }),
    );
    expect(meter.wru).toBe(6);
    expect(meter.transactions).toBe(1);
    expect(meter.itemsWritten).toBe(1);
  });

  it('charges an update on the larger of the item before and after', async () => {
    await doc.send(new PutCommand({ TableName: table(), Item: item('u', 2500) })); // 3 KB
    meter.reset();
    // shrink it to a few bytes: still charged on the 2,500-byte item before
    await doc.send(new UpdateCommand({ TableName: table(), Key: { PK: 'u', SK: 'y' }, UpdateExpression: 'REMOVE p' }));
    expect(meter.wru).toBe(3);
    meter.reset();
    // a put over it (now small) with a 1,100-byte item: charged on the new, larger one
    await doc.send(new PutCommand({ TableName: table(), Item: item('u', 1100) }));
    expect(meter.wru).toBe(2);
  });

  it('charges each item of a BatchWriteItem by its own size', async () => {
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [table()]: [{ PutRequest: { Item: item('b1', 500) } }, { PutRequest: { Item: item('b2', 1500) } }, { PutRequest: { Item: item('b3', 2100) } }] },
      }),
    );
    expect(meter.wru).toBe(1 + 2 + 3);
    expect(meter.requests).toBe(1);
  });

  it('adds GSI replication when an item enters, changes in, and leaves the index', async () => {
    // enters: 1 KB item, transactional table write 2 + index put 1
    await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: table(), Item: item('g', 900, { GSI1PK: 'W', GSI1SK: '1' }) } }] }));
    expect(meter.wru).toBe(3);
    expect(meter.gsiWru).toBe(1);
    meter.reset();
    // its index key changes: table 2, index delete 1 + put 1
    await doc.send(new TransactWriteCommand({ TransactItems: [{ Update: { TableName: table(), Key: { PK: 'g', SK: 'y' }, UpdateExpression: 'SET GSI1SK = :s', ExpressionAttributeValues: { ':s': '2' } } }] }));
    expect(meter.gsiWru).toBe(2);
    expect(meter.wru).toBe(4);
    meter.reset();
    // leaves the index: table 2, index delete 1
    await doc.send(new TransactWriteCommand({ TransactItems: [{ Update: { TableName: table(), Key: { PK: 'g', SK: 'y' }, UpdateExpression: 'REMOVE GSI1PK, GSI1SK' } }] }));
    expect(meter.gsiWru).toBe(1);
    expect(meter.wru).toBe(3);
  });

  it('counts a cancelled transaction apart', async () => {
    await expect(
      doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: table(), Item: item('never', 200), ConditionExpression: 'attribute_exists(PK)' } }] })),
    ).rejects.toThrow();
    expect(meter.cancelledTransactions).toBe(1);
    expect(meter.cancelledWru).toBe(2);
  });
});
