import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#lib/store/client.ts';
import { keys } from '#lib/store/keys.ts';
import { batchGet, keyId, mapLimit } from '#lib/store/batch.ts';
import type { UnresolvedReply } from '#lib/events/schema.ts';

/**
 * The comment → author link, and the page replies waiting for it.
 *
 * A page's reply to a comment names the comment, not its author. Both sides
 * write one item per comment with a single-item UpdateItem that returns the
 * item as it is after the write, so DynamoDB orders the two writes and the
 * second one always sees the first:
 * - the comment sets its author and gets back the replies parked before it;
 * - a reply whose author is unknown parks itself and gets back the author if
 *   the comment got there first.
 * Whichever comes second applies the reply to the conversation; if both do
 * (a redelivery after a crash), the conversation's timeline drops the repeat.
 * Writes are idempotent (SET of the same values), so repeating them is safe.
 */

const LINK_TTL_DAYS = 60;
/** Parked replies are attributes `r:<reply id>` of the comment's item. */
const REPLY_PREFIX = 'r:';

export type CommentAuthor = { pageId: string; customerId: string };
type Item = Record<string, unknown>;

const expiresAt = () => Math.floor(Date.now() / 1000) + LINK_TTL_DAYS * 86_400;

function authorOf(item: Item | undefined): CommentAuthor | undefined {
  return item && typeof item.customerId === 'string' && typeof item.pageId === 'string' ? { pageId: item.pageId, customerId: item.customerId } : undefined;
}

function parkedOf(item: Item | undefined): UnresolvedReply[] {
  if (!item) return [];
  return Object.entries(item)
    .filter(([name]) => name.startsWith(REPLY_PREFIX))
    .map(([, v]) => JSON.parse(String(v)) as UnresolvedReply);
}

/**
 * Records the authors of comments; returns, per comment id, the replies that
 * were parked on it before (to be applied with the comment's customer).
 */
export async function linkComments(shopId: string, comments: Array<{ commentId: string } & CommentAuthor>): Promise<Map<string, UnresolvedReply[]>> {
  const unique = [...new Map(comments.map((c) => [c.commentId, c])).values()];
  const items = await mapLimit(unique, (c) =>
    db()
      .send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.commentLink(shopId, c.commentId),
          UpdateExpression: 'SET #type = :type, pageId = :p, customerId = :c, expiresAt = :e',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':type': 'comment-link', ':p': c.pageId, ':c': c.customerId, ':e': expiresAt() },
          ReturnValues: 'ALL_NEW',
        }),
      )
      .then((r) => r.Attributes),
  );
  return new Map(unique.map((c, i) => [c.commentId, parkedOf(items[i])]));
}

/**
 * Finds the authors of the comments these replies answer. A reply whose
 * comment has not been seen is parked on the comment's item (its customer is
 * then found when the comment arrives); the result maps reply id → author
 * for those resolved now.
 */
export async function resolveReplies(shopId: string, replies: UnresolvedReply[]): Promise<Map<string, CommentAuthor>> {
  const out = new Map<string, CommentAuthor>();
  const known = await batchGet(replies.map((r) => keys.commentLink(shopId, r.commentId)));
  const unknown: UnresolvedReply[] = [];
  for (const r of replies) {
    const author = authorOf(known.get(keyId(keys.commentLink(shopId, r.commentId))));
    if (author) out.set(r.id, author);
    else unknown.push(r);
  }
  const after = await mapLimit(unknown, (r) =>
    db()
      .send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.commentLink(shopId, r.commentId),
          UpdateExpression: 'SET #reply = :reply, expiresAt = if_not_exists(expiresAt, :e)',
          ExpressionAttributeNames: { '#reply': `${REPLY_PREFIX}${r.id}` },
          ExpressionAttributeValues: { ':reply': JSON.stringify(r), ':e': expiresAt() },
          ReturnValues: 'ALL_NEW',
        }),
      )
      .then((res) => res.Attributes),
  );
  unknown.forEach((r, i) => {
    const author = authorOf(after[i]);
    if (author) out.set(r.id, author);
  });
  return out;
}
