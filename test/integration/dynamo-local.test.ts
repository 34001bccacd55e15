import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { createTestTable } from '#test/support/table.ts';

describe('the local DynamoDB', () => {
  beforeAll(createTestTable);

  it('runs 100-item transactions and cancels them whole on a failed condition', async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({
      Update: {
        TableName: tableName(),
        Key: { PK: `probe#${i}`, SK: 'x' },
        UpdateExpression: 'ADD n :one',
        ExpressionAttributeValues: { ':one': 1 },
      },
    }));
    await db().send(new TransactWriteCommand({ TransactItems: items }));
    const failing = [...items.slice(0, 99), { ConditionCheck: { TableName: tableName(), Key: { PK: 'probe#0', SK: 'x' }, ConditionExpression: 'attribute_not_exists(PK)' } }];
    await expect(db().send(new TransactWriteCommand({ TransactItems: failing }))).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    const got = await db().send(new GetCommand({ TableName: tableName(), Key: { PK: 'probe#5', SK: 'x' } }));
    expect(got.Item?.n).toBe(1);
  });
});
