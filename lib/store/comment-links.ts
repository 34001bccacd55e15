import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { batchGet, keyId } from '#lib/store/state-items.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

const LINK_TTL_DAYS = 60;

/**
 * Records who wrote each comment (idempotent puts, before the batch's
 * transaction, so a crash in between only repeats them). A page's reply to a
 * comment names the comment, not its author; this is how it finds him.
 */
export async function putCommentLinks(shopId: string, events: CanonicalEvent[]): Promise<void> {
  const puts = new Map<string, Record<string, unknown>>();
  const expiresAt = Math.floor(Date.now() / 1000) + LINK_TTL_DAYS * 86_400;
  for (const e of events) {
    if (e.kind !== 'comment.received' || !e.commentId) continue;
    const k = keys.commentLink(shopId, e.commentId);
    puts.set(keyId(k), { PutRequest: { Item: { ...k, type: 'comment-link', pageId: e.pageId, customerId: e.customerId, expiresAt } } });
  }
  const writes = [...puts.values()];
  for (let i = 0; i < writes.length; i += 25) {
    let batch = writes.slice(i, i + 25);
    for (let attempt = 0; batch.length > 0; attempt++) {
      const res = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: batch } }));
      batch = (res.UnprocessedItems?.[tableName()] as typeof batch | undefined) ?? [];
      if (batch.length > 0) {
        if (attempt > 8) throw new Error('BatchWriteItem kept returning unprocessed items');
        await new Promise((r) => setTimeout(r, 2 ** attempt * 20));
      }
    }
  }
}

/** Authors of comments by comment id (missing when the comment was never seen). */
export async function commentAuthors(shopId: string, commentIds: string[]): Promise<Map<string, string>> {
  const got = await batchGet(commentIds.map((c) => keys.commentLink(shopId, c)), false);
  const out = new Map<string, string>();
  for (const c of commentIds) {
    const item = got.get(keyId(keys.commentLink(shopId, c)));
    if (item) out.set(c, String(item.customerId));
  }
  return out;
}
