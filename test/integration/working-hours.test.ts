import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { TEST_SECRETS } from '#test/support/env.ts';
import { makeMessage, makeReply } from '#test/support/factories.ts';
import { handler as admin } from '#functions/admin/handler.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { serveReport } from '#lib/reports/serve.ts';
import type { StaffChatReport } from '#lib/reports/types.ts';

/**
 * Changing working hours, then `POST /v1/admin/rebuild`, re-derives past
 * response times, misses and SLA rates. Zone +07:00, SLA 15 working minutes,
 * default shifts (morning 08–12, afternoon 12–18, evening 18–22).
 *
 *  P  Fri 2026-11-20 11:25 msg · lan replies 13:45
 *  Q  Fri 2026-11-20 20:55 msg · lan replies Sun 2026-11-22 08:05
 *  R  Sat 2026-11-21 10:00 msg · minh replies 10:05
 *
 * Before (08:00–22:00 every day):
 *  P 140 min = 8400 s, SLA ran out 11:40 (morning) → missed; began 11:25 (morning)
 *  Q Fri 20:55–22:00 65 min + Sat 14 h + Sun 5 min = 910 min = 54600 s, ran out Fri 21:10 (evening) → missed; began evening
 *  R 300 s, within; began 10:00 (morning)
 * After (08:00–11:30 and 13:30–21:00, closed Sat 2026-11-21):
 *  P 11:25–11:30 + 13:30–13:45 = 20 min = 1200 s; ran out 13:40 (afternoon) → missed; began morning
 *  Q Fri 20:55–21:00 + Sun 08:00–08:05 = 600 s; runs out Sun 08:10 → within; began evening
 *  R on a closed date: 0 s, within; no working time before the reply, so its shift is the reply's (10:05, morning)
 */
const SHOP = 'wh-shop';
const PAGE = 'wh-fb';
const ADMIN = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
const NOW = Date.parse('2026-11-25T12:00:00+07:00');
const ALL = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const shopBody = (o: Record<string, unknown> = {}) => ({
  name: 'Giờ làm',
  pages: [{ pageId: PAGE, channel: 'facebook', name: 'Fanpage' }],
  staff: [{ staffId: 'lan', name: 'Lan' }, { staffId: 'minh', name: 'Minh' }],
  ...o,
});
const params = (o: Record<string, string> = {}) => new URLSearchParams({ from: '2026-11-20', to: '2026-11-22', ...o });
const staffChat = async () => (await serveReport(SHOP, 'staff-chat', params(), NOW)).body as StaffChatReport;
const row = (r: StaffChatReport, id: string) => r.rows.find((x) => x.staffId === id)!;

describe('working hours: split shifts, closed dates, rebuild', () => {
  beforeAll(async () => {
    await createTestTable();
    expect((await call(admin, httpEvent({ method: 'PUT', path: `/v1/admin/shops/${SHOP}`, headers: ADMIN, body: shopBody() }))).status).toBe(200);
    const m = (customerId: string, at: string) => makeMessage({ pageId: PAGE, customerId, at });
    const r = (customerId: string, at: string, staffId: string) => makeReply({ pageId: PAGE, customerId, at, staffId });
    await recordBatch(
      SHOP,
      [
        m('P', '2026-11-20T11:25:00+07:00'), r('P', '2026-11-20T13:45:00+07:00', 'lan'),
        m('Q', '2026-11-20T20:55:00+07:00'), r('Q', '2026-11-22T08:05:00+07:00', 'lan'),
        m('R', '2026-11-21T10:00:00+07:00'), r('R', '2026-11-21T10:05:00+07:00', 'minh'),
      ],
      { now: NOW },
    );
  });

  it('refuses a window that starts and ends at the same minute, and a bad closed date', async () => {
    const res = await call(admin, httpEvent({ method: 'PUT', path: `/v1/admin/shops/${SHOP}`, headers: ADMIN, body: shopBody({ workingHours: [{ days: ALL, start: '09:00', end: '09:00' }], closedDates: ['2026-02-30'] }) }));
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['closedDates.0', 'workingHours.0.end']);
  });

  it('re-derives response times, misses and SLA rates of past days after the hours change and a rebuild', async () => {
    const before = await staffChat();
    expect(row(before, 'lan')).toMatchObject({
      responseTimeAvgSeconds: (8400 + 54600) / 2,
      missedConversations: 2,
      missedByShift: { morning: 1, afternoon: 0, evening: 1 },
      slaMetRate: 0,
      slaMetRateByShift: { morning: 0, afternoon: null, evening: 0 },
    });
    expect(row(before, 'minh')).toMatchObject({ responseTimeAvgSeconds: 300, missedConversations: 0, slaMetRate: 1, slaMetRateByShift: { morning: 1, afternoon: null, evening: null } });

    const put = await call(
      admin,
      httpEvent({
        method: 'PUT',
        path: `/v1/admin/shops/${SHOP}`,
        headers: ADMIN,
        body: shopBody({ workingHours: [{ days: ALL, start: '08:00', end: '11:30' }, { days: ALL, start: '13:30', end: '21:00' }], closedDates: ['2026-11-21'] }),
      }),
    );
    expect(put.status).toBe(200);
    expect(put.body.closedDates).toEqual(['2026-11-21']);
    // stored figures do not move by themselves
    expect(row(await staffChat(), 'lan').responseTimeAvgSeconds).toBe(31500);

    const rebuilt = await call(admin, httpEvent({ method: 'POST', path: '/v1/admin/rebuild', headers: ADMIN, body: { shopId: SHOP, from: '2026-11-20', to: '2026-11-22' } }));
    expect(rebuilt.status).toBe(200);

    const after = await staffChat();
    expect(row(after, 'lan')).toMatchObject({
      responseTimeAvgSeconds: (1200 + 600) / 2,
      missedConversations: 1,
      missedByShift: { morning: 0, afternoon: 1, evening: 0 },
      slaMetRate: 0.5,
      slaMetRateByShift: { morning: 0, afternoon: null, evening: 1 },
    });
    expect(row(after, 'minh')).toMatchObject({ responseTimeAvgSeconds: 0, missedConversations: 0, slaMetRate: 1, slaMetRateByShift: { morning: 1, afternoon: null, evening: null } });
    expect(after.shifts).toEqual([
      { shift: 'morning', waitsClosed: 2, withinSla: 1, slaMetRate: 0.5, missedConversations: 0 }, // P (missed), R
      { shift: 'afternoon', waitsClosed: 0, withinSla: 0, slaMetRate: null, missedConversations: 1 }, // P ran out 13:40
      { shift: 'evening', waitsClosed: 1, withinSla: 1, slaMetRate: 1, missedConversations: 0 }, // Q
    ]);

    // the CSV carries the same rates, per staff and per shift
    const csv = (await serveReport(SHOP, 'staff-chat', params({ format: 'csv' }), NOW)) as { body: string };
    const [head, lan] = csv.body.replace(/^\uFEFF/, '').split('\r\n');
    const cols = head!.split(',');
    const lanCells = lan!.split(',');
    const cell = (c: string) => lanCells[cols.indexOf(c)];
    expect([cell('slaMetRate'), cell('slaMetRateByShift.morning'), cell('slaMetRateByShift.afternoon'), cell('slaMetRateByShift.evening')]).toEqual(['0.5', '0', '', '1']);
  });
});
