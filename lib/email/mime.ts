import { randomBytes } from 'node:crypto';

/** RFC 2047 encoded-word for non-ASCII header text (UTF-8, base64), folded to stay under 76 characters a line. */
export function encodeHeader(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

const base64Lines = (s: string) => (Buffer.from(s, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');

/**
 * A multipart/alternative message (plain text first, then HTML), UTF-8,
 * base64 bodies, with extra headers such as List-Unsubscribe.
 */
export function buildMime(m: { from: string; to: string; subject: string; html: string; text: string; headers?: Record<string, string>; date?: Date; messageId?: string }): string {
  const boundary = `cp-${randomBytes(12).toString('hex')}`;
  const domain = m.from.split('@')[1] ?? 'chatpulse.local';
  const head = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${encodeHeader(m.subject)}`,
    `Date: ${(m.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${m.messageId ?? `${randomBytes(16).toString('hex')}@${domain}`}>`,
    'MIME-Version: 1.0',
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ];
  const part = (type: string, body: string) => [`--${boundary}`, `Content-Type: ${type}; charset=UTF-8`, 'Content-Transfer-Encoding: base64', '', base64Lines(body)].join('\r\n');
  return [...head, '', part('text/plain', m.text), part('text/html', m.html), `--${boundary}--`, ''].join('\r\n');
}
