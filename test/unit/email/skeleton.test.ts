import { describe, expect, it } from 'vitest';
import { escapeHtml, fillSkeleton, parseSkeleton, unescapeHtml } from '#lib/email/skeleton.ts';

describe('skeleton filler', () => {
  it('fills values, repeats lists, shows blocks and their inverse', () => {
    const s = parseSkeleton('<h1>{{title}}</h1>{{#rows}}<li>{{name}}: {{n}} {{t.unit}}</li>{{/rows}}{{^rows}}<p>{{t.none}}</p>{{/rows}}{{#extra}}<b>{{extra.x}}</b>{{/extra}}');
    const t = { unit: 'đơn', none: 'Không có' };
    expect(fillSkeleton(s, { title: 'A', rows: [{ name: 'Lan', n: 3 }, { name: 'Minh', n: 0 }], t, extra: null })).toBe('<h1>A</h1><li>Lan: 3 đơn</li><li>Minh: 0 đơn</li>');
    expect(fillSkeleton(s, { title: 'B', rows: [], t, extra: { x: 'y' } })).toBe('<h1>B</h1><p>Không có</p><b>y</b>');
  });

  it('fails loudly on a missing value or an unbalanced section', () => {
    expect(() => fillSkeleton(parseSkeleton('{{missing}}'), {})).toThrow(/missing/);
    expect(() => parseSkeleton('{{#a}}x')).toThrow(/never closed/);
    expect(() => parseSkeleton('{{#a}}x{{/b}}')).toThrow(/closes/);
  });

  it('inserts values verbatim once (escaping is the view model’s job) and never re-reads them as tags', () => {
    expect(fillSkeleton(parseSkeleton('{{a}}'), { a: '{{b}}' })).toBe('{{b}}');
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
    expect(unescapeHtml(escapeHtml(`<&>"'`))).toBe(`<&>"'`);
  });
});
