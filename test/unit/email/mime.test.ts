import { describe, expect, it } from 'vitest';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { buildMime } from '#lib/email/mime.ts';
import { buildDigestView } from '#lib/email/view-model.ts';
import { renderDigest } from '#lib/email/render.ts';
import { makeShop } from '#test/support/factories.ts';
import { makeAds, makeOverview, makeReferrals, makeStaffChat, makeStaffSales } from '#test/support/fixtures/reports.ts';

/**
 * The message nodemailer composes, read back by a real parser (mailparser):
 * what a mail client will see, not what the composer meant to write.
 */

const shop = makeShop('hoa-mai', { name: 'Thời trang Hoa Mai' });
const view = buildDigestView({
  shop,
  recipient: shop.recipients[0]!,
  period: 'daily',
  overview: makeOverview(),
  staffChat: makeStaffChat(),
  staffSales: makeStaffSales(),
  ads: makeAds(),
  referrals: makeReferrals(),
  unsubscribeUrl: 'https://api.example.com/v1/unsubscribe?shop=hoa-mai&sig=x',
});
const { subject, html, text } = renderDigest(view);
const input = {
  from: 'Chatpulse Báo cáo <digests@chatpulse.vn>',
  to: 'Nguyễn Thị Lan <owner@hoamai.vn>',
  subject,
  html,
  text,
  date: new Date('2026-11-23T01:00:05Z'),
  headers: { 'List-Unsubscribe': '<https://api.example.com/v1/unsubscribe?shop=hoa-mai&sig=x>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
};
const addresses = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value);

describe('buildMime (nodemailer MailComposer), read back with mailparser', () => {
  let raw: string;
  let mail: ParsedMail;
  it('composes', async () => {
    raw = await buildMime(input);
    mail = await simpleParser(raw);
  });

  it('is a multipart/alternative message: text/plain first, then text/html, both UTF-8', () => {
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(head).toMatch(/^MIME-Version: 1\.0$/m);
    expect(head).toMatch(/^Content-Type: multipart\/alternative;/m);
    const parts = [...raw.matchAll(/^Content-Type: (text\/\w+); charset=utf-8$/gim)].map((m) => m[1]);
    expect(parts).toEqual(['text/plain', 'text/html']);
  });

  it('carries the figures in both decoded bodies', () => {
    expect(mail.text).toContain('- Doanh thu: 1.250.000 ₫ (▲ 25%)');
    expect(mail.text).toContain('Nguyễn Thị Lan');
    expect(mail.html).toContain('1.250.000 ₫');
    expect(mail.html).toContain('Nguyễn Thị Lan');
  });

  it('round-trips the Vietnamese subject and display names', () => {
    expect(mail.subject).toBe('Thời trang Hoa Mai · Báo cáo ngày 22/11/2026: 1.250.000 ₫ doanh thu, 24 đơn');
    expect(addresses(mail.from)).toEqual([{ name: 'Chatpulse Báo cáo', address: 'digests@chatpulse.vn' }]);
    expect(addresses(mail.to)).toEqual([{ name: 'Nguyễn Thị Lan', address: 'owner@hoamai.vn' }]);
  });

  it('has Date, Message-ID and the one-click unsubscribe headers (RFC 8058)', () => {
    expect(mail.date?.toISOString()).toBe('2026-11-23T01:00:05.000Z');
    expect(mail.messageId).toMatch(/^<[0-9a-f]{32}@chatpulse\.vn>$/);
    expect(mail.headers.get('list')).toEqual({
      unsubscribe: { url: 'https://api.example.com/v1/unsubscribe?shop=hoa-mai&sig=x' },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
    });
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('is 7-bit ASCII with CRLF lines of at most 78 characters', () => {
    expect(/^[\x00-\x7f]*$/.test(raw)).toBe(true);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('refuses header injection', async () => {
    await expect(buildMime({ from: 'a@b.c', to: 'x@y.z', subject: 's', html: '', text: '', headers: { 'X-A': 'ok\r\nBcc: evil@x' } })).rejects.toThrow(/line break/);
  });

  it('keeps a line break in the subject out of the headers', async () => {
    const parsed = await simpleParser(await buildMime({ ...input, subject: 'Báo cáo\r\nBcc: evil@x' }));
    expect(parsed.subject).toBe('Báo cáo Bcc: evil@x');
    expect(parsed.bcc).toBeUndefined();
  });
});
