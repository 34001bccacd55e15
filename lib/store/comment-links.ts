import { keys } from '#lib/store/keys.ts';
import { batchGet, batchWrite, keyId, type WriteRequest } from '#lib/store/batch.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

const LINK_TTL_DAYS = 60;

/**
 * Records who wrote each comment (idempotent puts, before the batch's
 * transaction, so a crash in between only repeats them). A page's reply to a
 * comment names the comment, not its author; this is how it finds him.
 */
export async function putCommentLinks(shopId: string, events: CanonicalEvent[]): Promise<void> {
  const puts = new Map<string, WriteRequest>();
  const expiresAt = Math.floor(Date.now() / 1000) + LINK_TTL_DAYS * 86_400;
  for (const e of events) {
    if (e.kind !== 'comment.received' || !e.commentId) continue;
    const k = keys.commentLink(shopId, e.commentId);
    puts.set(keyId(k), { PutRequest: { Item: { ...k, type: 'comment-link', pageId: e.pageId, customerId: e.customerId, expiresAt } } });
  }
  await batchWrite([...puts.values()]);
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
