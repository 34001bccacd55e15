import { describe, expect, it } from 'vitest';
import { buildMime, encodeHeaderValue, quotedPrintable } from '#lib/email/mime.ts';
import { buildDigestView } from '#lib/email/view-model.ts';
import { renderDigest } from '#lib/email/render.ts';
import { makeShop } from '#test/support/factories.ts';
import { makeAds, makeOverview, makeReferrals, makeStaffChat, makeStaffSales } from '#test/support/fixtures/reports.ts';

/**
 * A small MIME reader written for this test, independent of lib/email/mime.ts:
 * unfold headers, split the body on the boundary, decode base64 or
 * quoted-printable, decode RFC 2047 words.
 */
function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}
function decodeWords(value: string): string {
  return value.replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=(\s+(?==\?))?/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}
function decodeBody(body: string, encoding: string): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes: number[] = [];
    const soft = body.replace(/=\r\n/g, '');
    for (let i = 0; i < soft.length; i++) {
      if (soft[i] === '=') {
        bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(soft.charCodeAt(i));
    }
    return Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n');
  }
  return body;
}
function parseMime(raw: string) {
  const split = raw.indexOf('\r\n\r\n');
  const headers = parseHeaders(raw.slice(0, split));
  const boundary = /boundary="([^"]+)"/.exec(headers['content-type'] ?? '')![1]!;
  const body = raw.slice(split + 4);
  const chunks = body.split(`\r\n--${boundary}`);
  const preamble = chunks.shift()!;
  const closing = chunks.pop()!;
  const parts = chunks.map((chunk) => {
    const c = chunk.replace(/^\r\n/, '');
    const cut = c.indexOf('\r\n\r\n');
    const h = parseHeaders(c.slice(0, cut));
    return { headers: h, body: decodeBody(c.slice(cut + 4), h['content-transfer-encoding'] ?? '7bit') };
  });
  return { headers, subject: decodeWords(headers.subject ?? ''), preamble, parts, closed: closing.startsWith('--') };
}

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
const raw = buildMime({
  from: 'Chatpulse Báo cáo <digests@chatpulse.vn>',
  to: 'owner@hoamai.vn',
  subject,
  html,
  text,
  date: new Date('2026-11-23T01:00:05Z'),
  headers: { 'List-Unsubscribe': '<https://api.example.com/v1/unsubscribe?shop=hoa-mai&sig=x>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
});

describe('buildMime', () => {
  const mime = parseMime(raw);

  it('is a multipart/alternative message: text/plain first, then text/html, both UTF-8', () => {
    expect(mime.headers['mime-version']).toBe('1.0');
    expect(mime.headers['content-type']).toMatch(/^multipart\/alternative; boundary="[^"]+"$/); // unfolded
    expect(mime.parts.map((p) => p.headers['content-type'])).toEqual(['text/plain; charset=UTF-8', 'text/html; charset=UTF-8']);
    expect(mime.parts.map((p) => p.headers['content-transfer-encoding'])).toEqual(['quoted-printable', 'base64']);
    expect(mime.closed).toBe(true);
  });

  it('carries the figures in both decoded bodies', () => {
    const [plain, htmlPart] = mime.parts;
    expect(plain!.body).toContain('- Doanh thu: 1.250.000 ₫ (▲ 25%)');
    expect(plain!.body).toContain('Nguyễn Thị Lan');
    expect(htmlPart!.body).toBe(html);
    expect(htmlPart!.body).toContain('1.250.000 ₫');
  });

  it('encodes the Vietnamese subject and display name as RFC 2047 words that decode back', () => {
    expect(raw).toMatch(/^Subject: =\?UTF-8\?B\?/m);
    expect(mime.subject).toBe('Thời trang Hoa Mai · Báo cáo ngày 22/11/2026: 1.250.000 ₫ doanh thu, 24 đơn');
    expect(decodeWords(mime.headers.from!)).toBe('Chatpulse Báo cáo <digests@chatpulse.vn>');
  });

  it('has Date, Message-ID, To and the one-click unsubscribe headers', () => {
    expect(mime.headers.date).toBe('Mon, 23 Nov 2026 01:00:05 +0000');
    expect(mime.headers['message-id']).toMatch(/^<[0-9a-f]{32}@chatpulse\.vn>$/);
    expect(mime.headers.to).toBe('owner@hoamai.vn');
    expect(mime.headers['list-unsubscribe']).toBe('<https://api.example.com/v1/unsubscribe?shop=hoa-mai&sig=x>');
    expect(mime.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
  });

  it('is 7-bit ASCII with CRLF lines of at most 78 characters', () => {
    expect(/^[\x00-\x7f]*$/.test(raw)).toBe(true);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('refuses header injection', () => {
    expect(() => buildMime({ from: 'a@b.c', to: 'x@y.z', subject: 's', html: '', text: '', headers: { 'X-A': 'ok\r\nBcc: evil@x' } })).toThrow(/line break/);
  });
});

describe('encodings', () => {
  it('leaves ASCII headers alone and never splits a character across encoded words', () => {
    expect(encodeHeaderValue('Daily report')).toBe('Daily report');
    const long = 'Báo cáo ngày '.repeat(8);
    const encoded = encodeHeaderValue(long);
    for (const w of encoded.split('\r\n ')) expect(w.length).toBeLessThanOrEqual(75);
    expect(decodeWords(encoded.replace(/\r\n /g, ' '))).toBe(long);
  });

  it('quoted-printable: = escaped, trailing spaces encoded, soft breaks under 77', () => {
    expect(quotedPrintable('a=b ')).toBe('a=3Db=20');
    expect(quotedPrintable('₫')).toBe('=E2=82=AB');
    const qp = quotedPrintable('x'.repeat(200));
    expect(qp.split('\r\n').every((l) => l.length <= 76)).toBe(true);
    expect(decodeBody(qp, 'quoted-printable')).toBe('x'.repeat(200));
  });
});
