import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';

/**
 * Each shop's signing secret per order platform (SPEC §1.3). Stored in its
 * own partition (`ORDERHOOK#…`), never in the shop item, so nothing that
 * reads or returns a shop can leak it.
 */

export async function putOrderWebhookSecret(shopId: string, platform: string, secret: string, now = new Date()): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.orderWebhookSecret(shopId, platform), type: 'order-webhook-secret', shopId, platform, secret, updatedAt: now.toISOString() },
    }),
  );
}

/**
 * The shop's secret for the platform, or undefined when none is set. An
 * eventually consistent read (half the cost of a consistent one, and only
 * reached by requests with a well-formed signature): a secret set in the last
 * second may not be seen yet, and the platform's retry then succeeds.
 */
export async function getOrderWebhookSecret(shopId: string, platform: string): Promise<string | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.orderWebhookSecret(shopId, platform) }));
  return typeof res.Item?.secret === 'string' ? res.Item.secret : undefined;
}
