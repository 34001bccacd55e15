import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { makeMessage, makeReply, makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { resetConfig } from '#lib/config.ts';
import { listWaiting, parseWaitingQuery } from '#lib/live/waiting.ts';
import { createWaitingLink } from '#lib/live/link.ts';
import { handler as report } from '#functions/report/handler.ts';

/**
 * The waiting list against a hand count. Zone +07:00, 08:00–22:00, SLA 15
 * working minutes; read at Fri 2026-11-20 10:30.
 *
 *  e  ig  07:50 msg                          open since 07:50, clock from 08:00: 150 min, 15 − 150 = −135 left
 *  a  fb  10:00 msg                          open: 30 min, −15 left
 *  d  fb  10:02 msg · minh 10:03             closed: not listed
 *  c  ig  10:10 msg                          open: 20 min, −5 left
 *  b  fb  10:05 msg · lan 10:06 · 10:20 msg  open since 10:20: 10 min, 5 left, last replied by lan
 */
const SHOP = 'wait-shop';
const NOW = Date.parse('2026-11-20T10:30:00+07:00');
const at = (hm: string) => `2026-11-20T${hm}:00+07:00`;

describe('GET /v1/shops/{shopId}/waiting', () => {
  beforeAll(async () => {
    process.env.REPORT_LINK_KEY = 'waiting-link-key-0123456789abcdef0123';
    resetConfig();
    await createTestTable();
    await putShop(makeShop(SHOP, { pages: [{ pageId: 'fb', channel: 'facebook', name: 'Fanpage' }, { pageId: 'ig', channel: 'instagram', name: 'Insta' }] }));
    const m = (pageId: string, customerId: string, hm: string) => makeMessage({ pageId, customerId, at: at(hm) });
    const r = (pageId: string, customerId: string, hm: string, staffId: string) => makeReply({ pageId, customerId, at: at(hm), staffId });
    await recordBatch(SHOP, [m('ig', 'e', '07:50'), m('fb', 'a', '10:00'), m('fb', 'd', '10:02'), r('fb', 'd', '10:03', 'minh'), m('ig', 'c', '10:10'), m('fb', 'b', '10:05'), r('fb', 'b', '10:06', 'lan'), m('fb', 'b', '10:20')], { now: NOW });
  });
  afterAll(() => {
    delete process.env.REPORT_LINK_KEY;
    resetConfig();
  });

  it('lists every open wait, oldest first, with its working-time clock and last replier', async () => {
    const { list, readUnits } = await listWaiting(SHOP, parseWaitingQuery(new URLSearchParams()), NOW);
    expect(list.count).toBe(4);
    expect(list.waits.map((w) => [w.customerId, w.pageId, w.channel, w.waitingSince, w.workingMinutesWaited, w.minutesLeft, w.lastRepliedBy])).toEqual([
      ['e', 'ig', 'instagram', '2026-11-20T00:50:00.000Z', 150, -135, null],
      ['a', 'fb', 'facebook', '2026-11-20T03:00:00.000Z', 30, -15, null],
      ['c', 'ig', 'instagram', '2026-11-20T03:10:00.000Z', 20, -5, null],
      ['b', 'fb', 'facebook', '2026-11-20T03:20:00.000Z', 10, 5, 'lan'],
    ]);
    expect(list.waits[3]!.lastRepliedByName).toBe('Nguyễn Thị Lan');
    expect(readUnits).toBeGreaterThan(0);
  });

  it('filters by page and channel', async () => {
    const ids = async (q: string) => (await listWaiting(SHOP, parseWaitingQuery(new URLSearchParams(q)), NOW)).list.waits.map((w) => w.customerId);
    expect(await ids('channel=instagram')).toEqual(['e', 'c']);
    expect(await ids('pageId=fb')).toEqual(['a', 'b']);
    expect(await ids('pageId=fb&channel=instagram')).toEqual([]);
  });

  it('answers through the report function with the shop key, and refuses unknown parameters', async () => {
    const res = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/waiting`, query: 'channel=facebook', authorizer: { shopId: SHOP } }));
    expect(res.status).toBe(200);
    expect(res.body.waits.map((w: { customerId: string }) => w.customerId)).toEqual(['a', 'b']);
    const other = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/waiting`, authorizer: { shopId: 'someone-else' } }));
    expect(other.status).toBe(403);
    const bad = await call(report, httpEvent({ method: 'GET', path: `/v1/shops/${SHOP}/waiting`, query: 'from=2026-11-20', authorizer: { shopId: SHOP } }));
    expect(bad.status).toBe(400);
  });

  it('opens as a page through a signed link, and not with an altered one', async () => {
    const { url } = await createWaitingLink(SHOP, { channel: 'instagram' });
    const u = new URL(url);
    const page = await call(report, httpEvent({ method: 'GET', path: u.pathname, query: u.search.slice(1) }));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.raw).toContain('Khách đang chờ trả lời (2)');
    expect(page.raw).toContain('<td>Insta</td>');
    expect(page.raw).not.toContain('<td>Fanpage</td>');
    u.searchParams.set('channel', 'facebook');
    const forged = await call(report, httpEvent({ method: 'GET', path: u.pathname, query: u.search.slice(1) }));
    expect(forged.status).toBe(403);
  });
});
