import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '#test/support/table.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { makeShop } from '#test/support/factories.ts';
import { putShop } from '#lib/store/shops.ts';
import { recordBatch } from '#lib/ingest/record-batch.ts';
import { resetConfig } from '#lib/config.ts';
import { createReportLink } from '#lib/reports/link-signing.ts';
import { openReportLink } from '#lib/reports/open-link.ts';
import { handler as report } from '#functions/report/handler.ts';
import type { CanonicalEvent } from '#lib/events/schema.ts';

const SHOP = 'link-shop';
const PAGE = 'link-fb';
const KEY_A = 'report-link-key-a-0123456789abcdef0123';
const KEY_B = 'report-link-key-b-0123456789abcdef0123';
const NOW = Date.parse('2026-11-25T00:00:00Z');
const events: CanonicalEvent[] = [
  { id: 'm1', kind: 'message.received', at: '2026-11-20T10:00:00+07:00', pageId: PAGE, customerId: 'A' },
  { id: 'r1', kind: 'reply.sent', at: '2026-11-20T10:05:00+07:00', pageId: PAGE, customerId: 'A', via: 'message', automated: false, staffId: 'lan' },
  { id: 'o1', kind: 'order.created', at: '2026-11-20T11:00:00+07:00', orderId: 'O1', pageId: PAGE, customerId: 'A', staffId: 'lan', total: 500000 },
] as CanonicalEvent[];

const open = (url: string) => {
  const u = new URL(url);
  return call(report, httpEvent({ method: 'GET', path: u.pathname, query: u.search.slice(1) })); // no key, no authorizer
};

describe('signed report links', () => {
  beforeAll(async () => {
    process.env.REPORT_LINK_KEY = KEY_A;
    resetConfig();
    await createTestTable();
    await putShop(makeShop(SHOP, { pages: [{ pageId: PAGE, channel: 'facebook', name: 'Fanpage' }], staff: [{ staffId: 'lan', name: 'Lan' }] }));
    await recordBatch(SHOP, events, { now: NOW });
  });
  afterAll(() => {
    delete process.env.REPORT_LINK_KEY;
    resetConfig();
  });

  it('a shop key gets a link valid 7 days by default', async () => {
    expect(createReportLink(SHOP, { report: 'overview', from: '2026-11-20', to: '2026-11-20' }, NOW).expiresAt).toBe('2026-12-02T00:00:00.000Z');
    const res = await call(report, httpEvent({ method: 'POST', path: `/v1/shops/${SHOP}/report-links`, body: { report: 'staff-sales', from: '2026-11-20', to: '2026-11-20' }, authorizer: { shopId: SHOP } }));
    expect(res.status).toBe(201);
    expect(res.body.url).toMatch(new RegExp(`^http://localhost:3000/v1/report-pages/${SHOP}/staff-sales\\?from=2026-11-20&to=2026-11-20&exp=\\d+&sig=[\\w-]+$`));
    // another shop's key may not sign for this shop; a bad range is refused when signing
    expect((await call(report, httpEvent({ method: 'POST', path: `/v1/shops/${SHOP}/report-links`, body: { report: 'overview', from: '2026-11-20', to: '2026-11-20' }, authorizer: { shopId: 'other' } }))).status).toBe(403);
    expect((await call(report, httpEvent({ method: 'POST', path: `/v1/shops/${SHOP}/report-links`, body: { report: 'overview', from: '2026-11-21', to: '2026-11-20' }, authorizer: { shopId: SHOP } }))).status).toBe(400);
  });

  it('opens the HTML page without a key: same figures, no script', async () => {
    const { url } = createReportLink(SHOP, { report: 'staff-sales', from: '2026-11-20', to: '2026-11-20' });
    const res = await open(url);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.raw).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
    // Lan: 1 order of 500,000 VND, 1 customer cared, converted → 100 %
    const seen = res.raw.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(seen).toContain('Lan 1 1 500.000 ₫');
    expect(seen).toContain('100%');
  });

  it('answers 403 when a link is altered, expired, for another shop, or signed with a rotated key', async () => {
    const { url } = createReportLink(SHOP, { report: 'overview', from: '2026-11-20', to: '2026-11-20' });
    expect((await open(url)).status).toBe(200);
    const altered = await open(url.replace('to=2026-11-20', 'to=2026-11-21'));
    expect(altered.status).toBe(403);
    // a person's browser gets a short page in the shop's language (vi-VN here), not an English JSON error
    expect(altered.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(altered.headers['content-security-policy']).toContain("default-src 'none'");
    expect(altered.raw).toContain('<html lang="vi"');
    expect(altered.raw).toContain('<h1>Liên kết không hợp lệ</h1>');
    expect(altered.raw).not.toMatch(/<script|"error"/);
    expect((await open(url.replace(/sig=([\w-])/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`))).status).toBe(403);
    expect((await open(url.replace(`/report-pages/${SHOP}/`, '/report-pages/other-shop/'))).status).toBe(403);
    expect((await open(url.replace('/overview?', '/ads?'))).status).toBe(403);
    // expired: signed 8 days before now with the default 7 days
    const old = createReportLink(SHOP, { report: 'overview', from: '2026-11-20', to: '2026-11-20' }, Date.now() - 8 * 86_400_000);
    const expired = await open(old.url);
    expect(expired.status).toBe(403);
    expect(expired.raw).toContain('<h1>Liên kết đã hết hạn</h1>');
    // a link signed in English fails in English
    const oldEn = createReportLink(SHOP, { report: 'overview', from: '2026-11-20', to: '2026-11-20', lang: 'en' }, Date.now() - 8 * 86_400_000);
    const expiredEn = await open(oldEn.url);
    expect(expiredEn.status).toBe(403);
    expect(expiredEn.raw).toContain('<html lang="en"');
    expect(expiredEn.raw).toContain('<h1>This link has expired</h1>');
    // a link to a shop that is gone
    const gone = await open(url.replace(`/report-pages/${SHOP}/`, '/report-pages/no-such-shop/'));
    expect(gone.status).toBe(403);
    await expect(openReportLink(SHOP, 'overview', new URL(url).searchParams, Date.parse(createReportLink(SHOP, { report: 'overview', from: '2026-11-20', to: '2026-11-20' }).expiresAt) + 1000)).rejects.toThrow('expired');
    // rotating the key revokes every link
    process.env.REPORT_LINK_KEY = KEY_B;
    resetConfig();
    expect((await open(url)).status).toBe(403);
    process.env.REPORT_LINK_KEY = KEY_A;
    resetConfig();
    expect((await open(url)).status).toBe(200);
  });

  it('opens in the language the link was signed with, and labels link to the glossary page of that language', async () => {
    const { url } = createReportLink(SHOP, { report: 'staff-sales', from: '2026-11-20', to: '2026-11-20', lang: 'en' });
    expect(url).toContain('&lang=en&');
    const res = await open(url);
    expect(res.status).toBe(200);
    expect(res.raw).toContain('<html lang="en"');
    expect(res.raw).toContain('href="http://localhost:3000/v1/glossary?lang=en#staff-sales-revenue"');
    const glossary = await call(report, httpEvent({ method: 'GET', path: '/v1/glossary', query: 'lang=en' })); // no key
    expect(glossary.status).toBe(200);
    expect(glossary.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(glossary.raw).toContain('<dt id="staff-sales-revenue">Revenue</dt>');
    const vi = await call(report, httpEvent({ method: 'GET', path: '/v1/glossary' }));
    expect(vi.raw).toContain('<dt id="staff-sales-revenue">Doanh thu</dt>');
  });

  it('answers 503 not_configured when the deployment has no REPORT_LINK_KEY', async () => {
    delete process.env.REPORT_LINK_KEY;
    resetConfig();
    const res = await call(report, httpEvent({ method: 'POST', path: `/v1/shops/${SHOP}/report-links`, body: { report: 'overview', from: '2026-11-20', to: '2026-11-20' }, authorizer: { shopId: SHOP } }));
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('not_configured');
    process.env.REPORT_LINK_KEY = KEY_A;
    resetConfig();
  });
});
