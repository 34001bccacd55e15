import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { batchGet, keyId } from '#lib/store/batch.ts';

/**
 * The digest ledger: one item per shop, period, period key and recipient.
 * A send first *claims* the item with a condition; only the claimant sends.
 * A claim is released only when the send certainly did not happen (SES
 * answered with an error), so a crash mid-send can never lead to a second
 * email: at most once, with the stuck claim visible as status `sending`.
 *
 * Before the claim, the dispatcher marks the item `queued` when it queues
 * the job; after the send, SES's feedback may turn `sent` into `bounced` or
 * `complained` (lib/digests/feedback.ts). Only `queued`, `released` and
 * `failed` items (and missing ones) may be claimed.
 */
export type LedgerKey = { shopId: string; period: 'daily' | 'weekly'; periodKey: string; email: string };
export type LedgerStatus = 'queued' | 'sending' | 'sent' | 'released' | 'failed' | 'bounced' | 'complained';
/** Statuses a dispatcher run queues again: nothing was sent and nothing is being sent. */
export const REQUEUE_STATUSES: ReadonlySet<string> = new Set(['queued', 'released']);

export async function claimDigest(k: LedgerKey, now = new Date()): Promise<'claimed' | 'already_sent' | 'in_progress'> {
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.digestLedger(k.shopId, k.period, k.periodKey, k.email), type: 'digest-ledger', ...k, status: 'sending', claimedAt: now.toISOString() },
        ConditionExpression: 'attribute_not_exists(PK) OR #s IN (:queued, :released, :failed)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':queued': 'queued', ':released': 'released', ':failed': 'failed' },
      }),
    );
    return 'claimed';
  } catch (err) {
    if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    const got = await db().send(new GetCommand({ TableName: tableName(), Key: keys.digestLedger(k.shopId, k.period, k.periodKey, k.email), ConsistentRead: true }));
    const status = got.Item?.status;
    return status === 'sent' || status === 'bounced' || status === 'complained' ? 'already_sent' : 'in_progress';
  }
}

/**
 * Records the send. SES's feedback may have come first (the local outbox's
 * simulator answers at once): a `bounced` or `complained` item keeps its
 * status and gets the message id.
 */
export async function markDigestSent(k: LedgerKey, messageId: string, now = new Date()): Promise<void> {
  const update = (condition: string) =>
    db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.digestLedger(k.shopId, k.period, k.periodKey, k.email),
        UpdateExpression: `SET ${condition === 'sending' ? '#s = :sent, ' : ''}messageId = :m, sentAt = :t`,
        ConditionExpression: condition === 'sending' ? '#s = :sending' : '#s IN (:bounced, :complained)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':m': messageId,
          ':t': now.toISOString(),
          ...(condition === 'sending' ? { ':sent': 'sent', ':sending': 'sending' } : { ':bounced': 'bounced', ':complained': 'complained' }),
        },
      }),
    );
  try {
    await update('sending');
  } catch (err) {
    if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    await update('feedback');
  }
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

/** The ledger items of many digests at once (eventually consistent: the claim decides), by `ledgerId`. */
export async function getLedgers(list: LedgerKey[]): Promise<Map<string, Record<string, unknown>>> {
  const items = await batchGet(list.map((k) => keys.digestLedger(k.shopId, k.period, k.periodKey, k.email)), false);
  const out = new Map<string, Record<string, unknown>>();
  for (const k of list) {
    const item = items.get(keyId(keys.digestLedger(k.shopId, k.period, k.periodKey, k.email)));
    if (item) out.set(ledgerId(k), item);
  }
  return out;
}

/** One string per ledger item (recipient address compared without case, as the key does). */
export const ledgerId = (k: LedgerKey) => `${k.shopId}\u0000${k.period}\u0000${k.periodKey}\u0000${k.email.toLowerCase()}`;

/**
 * Marks a digest `queued` as its job is queued, unless it is already
 * being sent, sent or refused; answers whether the job should be queued.
 */
export async function markDigestQueued(k: LedgerKey, now = new Date()): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.digestLedger(k.shopId, k.period, k.periodKey, k.email),
        UpdateExpression: 'SET #s = :queued, queuedAt = :t, #type = :type, shopId = :shop, period = :p, periodKey = :k, email = if_not_exists(email, :e)',
        ConditionExpression: 'attribute_not_exists(PK) OR #s IN (:queued, :released)',
        ExpressionAttributeNames: { '#s': 'status', '#type': 'type' },
        ExpressionAttributeValues: { ':queued': 'queued', ':released': 'released', ':t': now.toISOString(), ':type': 'digest-ledger', ':shop': k.shopId, ':p': k.period, ':k': k.periodKey, ':e': k.email },
      }),
    );
    return true;
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

/**
 * Records SES's feedback on a sent digest (`bounced` or `complained`); a
 * ledger item that does not exist is not created (feedback on an email this
 * ledger never sent changes nothing here).
 */
export async function markDigestFeedback(k: LedgerKey, status: 'bounced' | 'complained', detail: string, now = new Date()): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.digestLedger(k.shopId, k.period, k.periodKey, k.email),
        UpdateExpression: 'SET #s = :s, feedbackAt = :t, feedback = :d',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': status, ':t': now.toISOString(), ':d': detail.slice(0, 500) },
      }),
    );
    return true;
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}
