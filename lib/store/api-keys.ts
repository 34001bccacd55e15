import { createHash, randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { queryAll } from '#lib/store/batch.ts';
import { TABLE } from '#lib/store/table.ts';
import { log } from '#lib/log.ts';

/**
 * Shop API keys. One item per key, `APIKEY#<sha-256 of the key>`, so the
 * authorizer finds a key with one GetItem and the key itself is never
 * stored; a GSI1 entry `APIKEYS#<shop>` lists a shop's keys by key id.
 * Revoking deletes the item: the key is then unknown.
 */

export type ApiKeyInfo = { keyId: string; name: string | null; createdAt: string; lastUsedAt: string | null; expiresAt: string | null };

/** How stale `lastUsedAt` may get: the authorizer writes it at most once per key per this interval. */
export const LAST_USED_RESOLUTION_MS = 3_600_000;

/** sha-256 of an API key; only this is stored. */
export const hashApiKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/** Creates an API key for a shop and returns it once; the table keeps its hash. */
export async function createApiKey(shopId: string, opts: { name?: string; expiresAt?: string; now?: Date } = {}): Promise<string> {
  return (await createApiKeyWithId(shopId, opts)).apiKey;
}

/** Like createApiKey, with the key's id (for listing and revoking). */
export async function createApiKeyWithId(shopId: string, opts: { name?: string; expiresAt?: string; now?: Date } = {}): Promise<{ keyId: string; apiKey: string }> {
  const apiKey = `cp_${shopId.slice(0, 12)}_${randomBytes(24).toString('base64url')}`;
  const keyId = `key_${randomBytes(9).toString('base64url')}`;
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...keys.apiKey(hashApiKey(apiKey)),
        ...keys.apiKeyIndex(shopId, keyId),
        type: 'api-key',
        shopId,
        keyId,
        createdAt: (opts.now ?? new Date()).toISOString(),
        ...(opts.name !== undefined ? { name: opts.name } : {}),
        // not `expiresAt`: that is the table's TTL attribute (epoch seconds)
        ...(opts.expiresAt !== undefined ? { keyExpiresAt: opts.expiresAt } : {}),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  return { keyId, apiKey };
}

/**
 * The shop an API key belongs to, or undefined when the key is unknown,
 * revoked or expired. The lookup is by hash, so the secret itself is never
 * compared in JavaScript (no timing side channel). Records the use at most
 * once per LAST_USED_RESOLUTION_MS per key with a conditional update (so a
 * busy key costs one write an hour, and a revoked key is not brought back).
 */
export async function shopOfApiKey(apiKey: string, now = Date.now()): Promise<string | undefined> {
  const key = keys.apiKey(hashApiKey(apiKey));
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: key }));
  const item = res.Item;
  if (!item) return undefined;
  if (typeof item.keyExpiresAt === 'string' && Date.parse(item.keyExpiresAt) <= now) return undefined;
  const last = typeof item.lastUsedAt === 'string' ? Date.parse(item.lastUsedAt) : undefined;
  if (last === undefined || now - last >= LAST_USED_RESOLUTION_MS) {
    const cutoff = new Date(now - LAST_USED_RESOLUTION_MS).toISOString();
    await db()
      .send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key,
          UpdateExpression: 'SET lastUsedAt = :now',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt <= :cutoff)',
          ExpressionAttributeValues: { ':now': new Date(now).toISOString(), ':cutoff': cutoff },
        }),
      )
      .catch((err: Error) => {
        // another request recorded it first; any other failure must not turn a valid key away
        if (err.name !== 'ConditionalCheckFailedException') log.warn('could not record API key use', { errorName: err.name });
      });
  }
  return String(item.shopId);
}

const info = (it: Record<string, unknown>): ApiKeyInfo => ({
  keyId: String(it.keyId),
  name: typeof it.name === 'string' ? it.name : null,
  createdAt: String(it.createdAt),
  lastUsedAt: typeof it.lastUsedAt === 'string' ? it.lastUsedAt : null,
  expiresAt: typeof it.keyExpiresAt === 'string' ? it.keyExpiresAt : null,
});

/** A shop's keys (never the key or its hash), oldest first. */
export async function listApiKeys(shopId: string): Promise<ApiKeyInfo[]> {
  const items = await queryAll({
    IndexName: TABLE.gsi1.name,
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.apiKeyIndexPartition(shopId) },
  });
  return items.map(info).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId));
}

/** Deletes a shop's key by id; false when the shop has no such key. */
export async function revokeApiKey(shopId: string, keyId: string): Promise<boolean> {
  const { GSI1PK, GSI1SK } = keys.apiKeyIndex(shopId, keyId);
  const found = await queryAll({
    IndexName: TABLE.gsi1.name,
    KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK = :sk',
    ExpressionAttributeValues: { ':pk': GSI1PK, ':sk': GSI1SK },
  });
  const item = found[0];
  if (!item) return false;
  try {
    await db().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: { PK: String(item.PK), SK: String(item.SK) },
        ConditionExpression: 'shopId = :s AND keyId = :k',
        ExpressionAttributeValues: { ':s': shopId, ':k': keyId },
      }),
    );
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
  return true;
}
