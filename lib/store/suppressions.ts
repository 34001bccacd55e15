import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { queryAll } from '#lib/store/batch.ts';

/**
 * Digest suppressions: one item per shop and address that SES reported as
 * a permanent bounce or a complaint. Dispatch and send skip these addresses
 * for that shop; an operator lifts one through the admin API.
 */
export type Suppression = { email: string; reason: 'bounce' | 'complaint'; at: string; detail?: string };

/** Records (or refreshes) a suppression. */
export async function putSuppression(shopId: string, s: Suppression): Promise<void> {
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...keys.suppression(shopId, s.email), type: 'suppression', shopId, ...s, email: s.email.toLowerCase() } }));
}

/** Whether digests to `email` are suppressed for the shop (strongly consistent: a bounce just recorded counts). */
export async function isSuppressed(shopId: string, email: string): Promise<boolean> {
  const got = await db().send(new GetCommand({ TableName: tableName(), Key: keys.suppression(shopId, email), ConsistentRead: true, ProjectionExpression: 'PK' }));
  return got.Item !== undefined;
}

/** Every suppressed address of a shop (one Query of its suppression partition). */
export async function listSuppressions(shopId: string): Promise<Suppression[]> {
  const items = await queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.suppressionPartition(shopId) } });
  return items.map((i) => ({ email: String(i.email), reason: i.reason as Suppression['reason'], at: String(i.at), ...(i.detail ? { detail: String(i.detail) } : {}) }));
}

/** Lifts a suppression; answers whether there was one. */
export async function deleteSuppression(shopId: string, email: string): Promise<boolean> {
  const res = await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.suppression(shopId, email), ReturnValues: 'ALL_OLD' }));
  return res.Attributes !== undefined;
}
