import type { CanonicalEvent, EventOf, ResolvedEvent, UnresolvedReply } from '#lib/events/schema.ts';
import { isUnresolvedReply } from '#lib/events/schema.ts';
import { linkComments, resolveReplies, type CommentAuthor } from '#lib/store/comment-links.ts';

/**
 * The join of a page's reply to a comment with that comment's author, in
 * state and in any order of arrival (see lib/store/comment-links.ts): the
 * batch's comments record their authors and collect the replies parked on
 * them; its replies that name only a comment take the author from a comment
 * of the same batch or from the link item, or park there until the comment
 * arrives. Runs before the transactions, so a retry after a conflict reuses
 * its result, and a crash in between only repeats its idempotent writes.
 * A reply is joined only with a comment of its own page.
 */
export async function joinCommentReplies(shopId: string, events: CanonicalEvent[], admit: (e: CanonicalEvent) => boolean): Promise<{ events: ResolvedEvent[]; parked: number }> {
  const comments = events.filter((e): e is EventOf<'comment.received'> & { commentId: string } => e.kind === 'comment.received' && e.commentId !== undefined);
  const waiting = await linkComments(shopId, comments.map((c) => ({ commentId: c.commentId, pageId: c.pageId, customerId: c.customerId })));
  const authors = new Map<string, CommentAuthor>(comments.map((c) => [c.commentId, { pageId: c.pageId, customerId: c.customerId }]));
  const out: ResolvedEvent[] = [];
  const unresolved: UnresolvedReply[] = [];
  for (const e of events) {
    if (!isUnresolvedReply(e)) out.push(e as ResolvedEvent);
    else if (!authors.has(e.commentId)) unresolved.push(e);
    else if (authors.get(e.commentId)!.pageId === e.pageId) out.push({ ...e, customerId: authors.get(e.commentId)!.customerId });
  }
  const found = await resolveReplies(shopId, unresolved);
  let parked = 0;
  for (const e of unresolved) {
    const author = found.get(e.id);
    if (!author) parked++;
    else if (author.pageId === e.pageId) out.push({ ...e, customerId: author.customerId });
  }
  // replies parked earlier on this batch's comments: applied now (the timeline drops repeats)
  const inBatch = new Set(events.map((e) => e.id));
  for (const c of comments)
    for (const r of waiting.get(c.commentId) ?? []) {
      if (inBatch.has(r.id) || r.pageId !== c.pageId || !admit(r)) continue;
      inBatch.add(r.id);
      out.push({ ...r, customerId: c.customerId });
    }
  return { events: out, parked };
}
