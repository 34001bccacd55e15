import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { OutboxTransport } from '#lib/mail/outbox.ts';

describe('outbox transport', () => {
  it('writes the composed MIME message as .eml and the HTML as .html, named by time and sanitised key', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'cp-outbox-')), 'nested');
    const t = new OutboxTransport(dir, () => new Date('2026-11-23T01:00:00.000Z'));

    const { messageId } = await t.send({ from: 'a@b.vn', to: 'c@d.vn', subject: 'Báo cáo ngày', html: '<p>hi</p>', text: 'hi', headers: { 'List-Unsubscribe': '<https://x.example/u>' }, idempotencyKey: 'hoa-mai/daily 2026-11-22:owner@hoamai.vn' });

    const base = '2026-11-23T01-00-00-000Z-hoa-mai_daily_2026-11-22_owner@hoamai.vn';
    expect(readdirSync(dir).sort()).toEqual([`${base}.eml`, `${base}.html`]);
    const eml = await simpleParser(readFileSync(path.join(dir, `${base}.eml`)));
    expect([eml.subject, eml.text?.trim(), eml.html, eml.headerLines.find((h) => h.key === 'list-unsubscribe')?.line, eml.date?.toISOString()]).toEqual([
      'Báo cáo ngày',
      'hi',
      '<p>hi</p>',
      'List-Unsubscribe: <https://x.example/u>',
      '2026-11-23T01:00:00.000Z',
    ]);
    expect(readFileSync(path.join(dir, `${base}.html`), 'utf8')).toBe('<p>hi</p>');
    expect(messageId).toBe(`${base}@outbox`);
  });
});
