import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildDigestView } from '#lib/email/view-model.ts';
import { renderDigest } from '#lib/email/render.ts';
import { buildMime } from '#lib/email/mime.ts';
import { compileDigestTemplate } from '#lib/email/compile.ts';
import { COMPILED_DIGEST } from '#lib/email/compiled-digest.ts';
import { makeShop } from '#test/support/factories.ts';
import { makeAds, makeOverview, makeReferrals, makeStaffChat, makeStaffSales } from '#test/support/fixtures/reports.ts';

const shop = makeShop('hoa-mai', { name: 'Thời trang Hoa Mai' });
function render(locale: 'vi-VN' | 'en', participants = 0) {
  const view = buildDigestView({
    shop,
    recipient: { email: 'owner@hoamai.vn', locale, daily: true, weekly: true },
    period: 'daily',
    overview: makeOverview(),
    staffChat: makeStaffChat(),
    staffSales: makeStaffSales(),
    ads: makeAds(),
    referrals: makeReferrals(participants),
    unsubscribeUrl: 'https://api.example.com/v1/unsubscribe?shop=hoa-mai&sig=a&b=c',
  });
  return renderDigest(view);
}

/** Minimal independent MIME reader: headers, then parts split on the boundary, base64 decoded. */
function parseMime(raw: string) {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const headers = Object.fromEntries(
    head!.replace(/\r\n\s+/g, ' ').split('\r\n').map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  const boundary = /boundary="([^"]+)"/.exec(headers['content-type']!)![1]!;
  const body = rest.join('\r\n\r\n');
  const parts = body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => {
      const [h, b] = p.replace(/^\r\n/, '').split('\r\n\r\n');
      return { type: /Content-Type: ([^;]+)/.exec(h!)![1], encoding: /Content-Transfer-Encoding: (\S+)/.exec(h!)![1], body: Buffer.from(b!.replace(/\s+/g, ''), 'base64').toString('utf8') };
    });
  const subject = headers.subject!.replace(/=\?UTF-8\?B\?([^?]+)\?=\s*/g, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
  return { headers, parts, subject, closed: body.includes(`--${boundary}--`) };
}

describe('digest email', () => {
  it('shows the figures formatted for vi-VN', () => {
    const { subject, html, text } = render('vi-VN');
    expect(subject).toBe('Thời trang Hoa Mai · Báo cáo ngày 22/11/2026');
    expect(html).toContain('12.500.000 ₫'); // revenue
    expect(html).toContain('▲ 25%'); // revenue 12.5 M vs 10 M; customers reached 120 vs 96
    expect(html).toContain('KH tiếp cận');
    expect(html).toContain('Nguyễn Thị Lan');
    expect(html).toContain('2 phút 5 giây'); // 125 s average
    expect(html).toContain('evening 2'); // missed per shift
    expect(html).toContain('3.0×'); // ROAS
    expect(html).toContain('Số liệu tính đến 08:00 23/11/2026'); // generatedAt 01:00Z in Asia/Ho_Chi_Minh
    expect(text).toContain('Doanh thu: 12.500.000 ₫ (▲ 25%)');
    expect(html).toContain('Giờ cao điểm: 20:00–21:00');
  });

  it('shows the figures formatted for en, with a dash where the previous value was 0', () => {
    const { html } = render('en');
    expect(html).toContain('₫12,500,000');
    expect(html).toContain('Customers reached');
    expect(html).toContain('2m 5s');
    expect(html).toMatch(/Customers cared for<\/div>\s*<div[^>]*>100<\/div>\s*<div[^>]*>—</);
    expect(html).toContain('Figures as of 23/11/2026 08:00');
  });

  it('escapes data, uses no SVG or script, and draws 24 hour bars as table cells', () => {
    const { html } = render('en');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<svg/i);
    expect(html.match(/vertical-align:bottom;padding:0 1px;height:64px/g)).toHaveLength(24);
    expect(html).not.toMatch(/\{\{\w+\}\}/);
    expect(html).toContain('href="https://api.example.com/v1/unsubscribe?shop=hoa-mai&amp;sig=a&amp;b=c"');
  });

  it('shows the referral block only when the shop has referral activity', () => {
    expect(render('en', 0).html).not.toContain('Referral programme');
    const withRef = render('en', 10).html;
    expect(withRef).toContain('Referral programme');
    expect(withRef).toContain('₫900,000');
    expect(withRef).toContain('40%'); // 4 of 10 shared
  });

  it('builds a multipart/alternative MIME message with text and html parts and List-Unsubscribe', () => {
    const { subject, html, text } = render('vi-VN');
    const raw = buildMime({ from: 'digests@chatpulse.vn', to: 'owner@hoamai.vn', subject, html, text, headers: { 'List-Unsubscribe': '<https://x/u>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } });
    const mime = parseMime(raw);
    expect(mime.subject).toBe(subject);
    expect(mime.headers['content-type']).toMatch(/^multipart\/alternative; boundary=/);
    expect(mime.headers['list-unsubscribe']).toBe('<https://x/u>');
    expect(mime.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mime.parts.map((p) => p.type)).toEqual(['text/plain', 'text/html']);
    expect(mime.parts[0]!.body).toContain('Doanh thu: 12.500.000 ₫');
    expect(mime.parts[1]!.body).toBe(html);
    expect(mime.closed).toBe(true);
    expect(raw.split('\r\n').every((l) => l.length <= 998)).toBe(true);
  });

  it('ships a precompiled template identical to compiling templates/digest.mjml now', async () => {
    expect(COMPILED_DIGEST).toBe(await compileDigestTemplate(readFileSync(new URL('../../../templates/digest.mjml', import.meta.url), 'utf8')));
  });
});
