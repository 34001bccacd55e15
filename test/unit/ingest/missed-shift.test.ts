import { describe, expect, it } from 'vitest';
import { deriveCustomer, emptyCustomer, applyConversationEvents } from '#lib/ingest/customer.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { itemId } from '#lib/rollups/cells.ts';
import { makeShop } from '#test/support/factories.ts';

const rules = rulesOf(makeShop('s')); // 08:00–22:00, SLA 15 min, shifts morning/afternoon/evening
const wait = (msgAt: string, replyAt: string) =>
  deriveCustomer(
    applyConversationEvents(emptyCustomer('s', 'page-fb', 'c'), [
      { id: 'm', kind: 'message.received', at: msgAt, pageId: 'page-fb', customerId: 'c' },
      { id: 'r', kind: 'reply.sent', at: replyAt, pageId: 'page-fb', customerId: 'c', via: 'message', automated: false, staffId: 'lan' },
    ]).state,
    rules,
  );

describe('missed conversations by shift', () => {
  it('books an SLA that runs out exactly at closing time in the closing shift', () => {
    // 21:45 + 15 working minutes = 22:00, the end of the evening shift
    const cells = wait('2026-11-20T21:45:00+07:00', '2026-11-21T08:30:00+07:00');
    const day = cells.get(itemId({ pageId: 'page-fb', scope: 'S', period: 'D', periodKey: '2026-11-20', entity: 'lan' }));
    expect(day?.get('missed')).toBe(1);
    expect(day?.get('missed:evening')).toBe(1);
    expect(day?.get('missed:other')).toBeUndefined();
  });

  it('books an SLA that runs out after the night in the morning shift of the next day', () => {
    // 21:50: 10 minutes before closing, 5 more after 08:00 → 08:05 next day
    const cells = wait('2026-11-20T21:50:00+07:00', '2026-11-21T09:00:00+07:00');
    const next = cells.get(itemId({ pageId: 'page-fb', scope: 'S', period: 'D', periodKey: '2026-11-21', entity: 'lan' }));
    expect(next?.get('missed:morning')).toBe(1);
    // and the response time counts working time only: 10 + 60 minutes
    expect(next?.get('rtSum')).toBe(70 * 60);
  });

  it('does not count a reply inside the SLA as missed', () => {
    const cells = wait('2026-11-20T10:00:00+07:00', '2026-11-20T10:14:59+07:00');
    const day = cells.get(itemId({ pageId: 'page-fb', scope: 'S', period: 'D', periodKey: '2026-11-20', entity: 'lan' }));
    expect(day?.get('missed')).toBeUndefined();
    expect(day?.get('rtSum')).toBe(899);
  });
});
