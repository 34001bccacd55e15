import { randomBytes } from 'node:crypto';

/**
 * A raw email message (RFC 5322 headers, RFC 2045/2046 MIME body), built by
 * hand: multipart/alternative with the plain-text part first and the HTML
 * part last (clients show the last part they can display), UTF-8 throughout.
 * The text part is quoted-printable (still readable in a raw .eml), the HTML
 * part base64. Lines are CRLF and never longer than 76 characters in bodies.
 */

export type MimeInput = {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058). */
  headers?: Record<string, string>;
  date?: Date;
  /** Without angle brackets; a random one at the sender's domain by default. */
  messageId?: string;
  /** Tests pass a fixed boundary; otherwise random. */
  boundary?: string;
};

const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * RFC 2047 encoded words (UTF-8, base64) for header text that is not plain
 * ASCII, each word at most 64 characters and never splitting a character,
 * folded onto continuation lines. ASCII text is returned as is.
 */
export function encodeHeaderValue(value: string): string {
  if (ASCII_PRINTABLE.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    // 39 bytes → 52 base64 characters; 64 with "=?UTF-8?B?" and "?=", so even
    // the first line ("Subject: " + word) stays within 78 characters.
    if (Buffer.byteLength(chunk + ch, 'utf8') > 39) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** An address, possibly `Name <addr@host>`: a non-ASCII display name is encoded, the address left alone. */
export function encodeAddress(address: string): string {
  const m = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(address);
  if (!m) return address.trim();
  const [, name, addr] = m as unknown as [string, string, string];
  if (!name) return `<${addr}>`;
  const unquoted = name.replace(/^"(.*)"$/, '$1');
  const shown = ASCII_PRINTABLE.test(unquoted) ? `"${unquoted.replace(/(["\\])/g, '\\$1')}"` : encodeHeaderValue(unquoted);
  return `${shown} <${addr}>`;
}

/** Quoted-printable (RFC 2045 §6.7) of UTF-8 text with CRLF line breaks and soft breaks at 76 characters. */
export function quotedPrintable(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  return lines
    .map((line) => {
      const bytes = Buffer.from(line, 'utf8');
      const tokens: string[] = [];
      bytes.forEach((b, i) => {
        const last = i === bytes.length - 1;
        const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
        tokens.push(literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`);
      });
      const out: string[] = [];
      let current = '';
      for (const tok of tokens) {
        if (current.length + tok.length > 75) {
          out.push(`${current}=`);
          current = '';
        }
        current += tok;
      }
      out.push(current);
      return out.join('\r\n');
    })
    .join('\r\n');
}

function base64Lines(s: string): string {
  return (Buffer.from(s, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** RFC 5322 date-time in UTC: "Mon, 23 Nov 2026 01:00:00 +0000". */
export function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

function headerLine(name: string, value: string): string {
  if (!/^[!-9;-~]+$/.test(name)) throw new Error(`invalid header name ${JSON.stringify(name)}`);
  if (/[\r\n]/.test(value)) throw new Error(`header ${name} contains a line break`);
  return `${name}: ${value}`;
}

/**
 * The raw message as a string (send its UTF-8 bytes; the string itself is
 * 7-bit ASCII). Extra headers may override `Auto-Submitted` but not the
 * structural ones.
 */
export function buildMime(m: MimeInput): string {
  const boundary = m.boundary ?? `=_chatpulse_${randomBytes(12).toString('hex')}`;
  const domain = /@([^>\s]+)>?\s*$/.exec(m.from)?.[1] ?? 'chatpulse.local';
  const structural = new Set(['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding']);
  const extra = { 'Auto-Submitted': 'auto-generated', ...(m.headers ?? {}) };
  const head = [
    headerLine('From', encodeAddress(m.from)),
    headerLine('To', encodeAddress(m.to)),
    `Subject: ${encodeHeaderValue(m.subject.replace(/[\r\n]+/g, ' '))}`,
    headerLine('Date', rfc5322Date(m.date ?? new Date())),
    headerLine('Message-ID', `<${m.messageId ?? `${randomBytes(16).toString('hex')}@${domain}`}>`),
    'MIME-Version: 1.0',
    ...Object.entries(extra)
      .filter(([k]) => !structural.has(k.toLowerCase()))
      .map(([k, v]) => (/[\r\n]/.test(v) ? headerLine(k, v) : headerLine(k, ASCII_PRINTABLE.test(v) ? v : encodeHeaderValue(v)))),
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
  ];
  return [
    ...head,
    '',
    'This is a multi-part message in MIME format.',
    `--${boundary}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    quotedPrintable(m.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(m.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}
