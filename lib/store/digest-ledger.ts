import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';

/**
 * The digest ledger: one item per shop, period, period key and recipient.
 * A send first *claims* the item with a condition; only the claimant sends.
 * A claim is released only when the send certainly did not happen (SES
 * answered with an error), so a crash mid-send can never lead to a second
 * email: at most once, with the stuck claim visible as status `sending`.
 */
export type LedgerKey = { shopId: string; period: 'daily' | 'weekly'; periodKey: string; email: string };
export type LedgerStatus = 'sending' | 'sent' | 'released' | 'failed';

export async function claimDigest(k: LedgerKey, now = new Date()): Promise<'claimed' | 'already_sent' | 'in_progress'> {
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.digestLedger(k.shopId, k.period, k.periodKey, k.email), type: 'digest-ledger', ...k, status: 'sending', claimedAt: now.toISOString() },
        ConditionExpression: 'attribute_not_exists(PK) OR #s IN (:released, :failed)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':released': 'released', ':failed': 'failed' },
      }),
    );
    return 'claimed';
  } catch (err) {
    if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    const got = await db().send(new GetCommand({ TableName: tableName(), Key: keys.digestLedger(k.shopId, k.period, k.periodKey, k.email), ConsistentRead: true }));
    return got.Item?.status === 'sent' ? 'already_sent' : 'in_progress';
  }
}

export async function markDigestSent(k: LedgerKey, messageId: string, now = new Date()): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.digestLedger(k.shopId, k.period, k.periodKey, k.email),
      UpdateExpression: 'SET #s = :sent, messageId = :m, sentAt = :t',
      ConditionExpression: '#s = :sending',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':sent': 'sent', ':sending': 'sending', ':m': messageId, ':t': now.toISOString() },
    }),
  );
}

/**
 * Gives the claim back after a send that certainly failed, so a retry may
 * send: `released` for passing failures, `failed` for permanent ones (a replay
 * from the dead-letter queue may claim it again).
 */
export async function releaseDigest(k: LedgerKey, reason: string, status: 'released' | 'failed' = 'released'): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.digestLedger(k.shopId, k.period, k.periodKey, k.email),
      UpdateExpression: 'SET #s = :released, lastError = :r',
      ConditionExpression: '#s = :sending',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':released': status, ':sending': 'sending', ':r': reason.slice(0, 500) },
    }),
  );
}

export async function getLedger(k: LedgerKey): Promise<Record<string, unknown> | undefined> {
  const got = await db().send(new GetCommand({ TableName: tableName(), Key: keys.digestLedger(k.shopId, k.period, k.periodKey, k.email), ConsistentRead: true }));
  return got.Item;
}
