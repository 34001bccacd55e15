import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';

/**
 * A shop's report-link generation (issue 21: links revocable per shop). Every
 * link carries the generation it was signed in; revoking raises it, and a
 * link of an older generation no longer opens. Its own item (not an attribute
 * of the shop item), so that replacing a shop's settings can never put an old
 * generation back.
 */

/** The shop's present generation (0 until a first revocation); a consistent read, so a revocation holds at once. */
export async function getLinkGeneration(shopId: string): Promise<number> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.reportLinkGeneration(shopId), ConsistentRead: true }));
  return Number(res.Item?.generation ?? 0);
}

/** Raises the shop's generation by one (revoking every link signed before); returns the new generation. */
export async function raiseLinkGeneration(shopId: string, now = new Date()): Promise<number> {
  const res = await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.reportLinkGeneration(shopId),
      UpdateExpression: 'ADD generation :one SET revokedAt = :at, #t = :type',
      ExpressionAttributeNames: { '#t': 'type' },
      ExpressionAttributeValues: { ':one': 1, ':at': now.toISOString(), ':type': 'report-link-generation' },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(res.Attributes?.generation);
}
