import { describe, expect, it } from 'vitest';
import { writeFloor, type Arrival } from '../../../bench/deployed-path.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

const T0 = Date.parse('2026-11-20T13:00:00Z');
const arrive = (t: number, shopId: string, customerId: string, kind: 'message.received' | 'comment.received' | 'reply.sent'): Arrival => ({
  t,
  shopId,
  event: {
    id: `${shopId}-${customerId}-${t}`,
    kind,
    at: new Date(T0 + t * 1000).toISOString(),
    pageId: `${shopId}-page`,
    customerId,
    ...(kind === 'reply.sent' ? { via: 'message', automated: false } : {}),
    ...(kind === 'comment.received' ? { postId: 'live' } : {}),
  } as CanonicalEvent,
});

describe('writeFloor (bench): the least any write path spends, counted by hand', () => {
  it('one event per batch: every event writes its conversation, its shop, and the index when the open wait changes', () => {
    // 10 s apart with a 1 s window: each batch holds one event, whichever poller takes it
    const arrivals = [
      arrive(0, 'a', 'c1', 'message.received'), // wait opens: index +1
      arrive(10, 'b', 'c9', 'comment.received'), // another shop's wait opens: +1
      arrive(20, 'a', 'c1', 'message.received'), // still the same open wait: 0
      arrive(30, 'a', 'c1', 'reply.sent'), // closes: +1
      arrive(40, 'a', 'c1', 'message.received'), // a new wait: +1
    ];
    const f = writeFloor(arrivals, 1);
    // 5 conversation items, 5 shop items, 4 index writes over 5 events
    expect(f).toEqual({ windowSeconds: 1, conversationTouches: 1, shopTouches: 1, indexTouches: 4 / 5, floorPlain: 14 / 5, floorTx: 19 / 5 });
  });

  it('one batch: a conversation and a shop are written once, and a wait opened and closed inside it never reaches the index', () => {
    const arrivals = [
      arrive(0, 'a', 'c1', 'message.received'),
      arrive(5, 'b', 'c9', 'comment.received'), // opens and stays open: +1
      arrive(20, 'a', 'c1', 'reply.sent'), // c1 opened and closed within the batch: 0 so far
      arrive(30, 'a', 'c2', 'message.received'), // opens: +1
      arrive(31, 'a', 'c2', 'message.received'),
    ];
    const f = writeFloor(arrivals, 100, 1);
    // conversations a/c1, b/c9, a/c2 = 3; shops a, b = 2; index 2; 5 events
    expect(f).toEqual({ windowSeconds: 100, conversationTouches: 3 / 5, shopTouches: 2 / 5, indexTouches: 2 / 5, floorPlain: 7 / 5, floorTx: 10 / 5 });
  });

  it('orders the timeline by event time, not arrival: a reply delivered before the message it answers still closes it', () => {
    const arrivals = [arrive(0, 'a', 'c1', 'reply.sent'), arrive(1, 'a', 'c1', 'message.received')];
    // the message's event time is earlier than the reply's
    (arrivals[1]!.event as { at: string }).at = new Date(T0 - 60_000).toISOString();
    // two batches (1 s window, 1 poller): after the first nothing is open; after the second the message is answered by the earlier-delivered reply
    expect(writeFloor(arrivals, 0.5, 1).indexTouches).toBe(0);
  });
});
