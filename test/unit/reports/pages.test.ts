import { describe, expect, it } from 'vitest';
import { renderGlossaryHtml, renderLinkErrorHtml } from '#lib/reports/pages.ts';
import { METRICS } from '#lib/reports/metrics.ts';

describe('the glossary page', () => {
  it('defines every metric with an anchor, in the chosen language, without script', () => {
    for (const locale of ['vi-VN', 'en'] as const) {
      const html = renderGlossaryHtml(locale);
      expect(html).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
      for (const m of METRICS) expect(html, `${m.group} ${m.key}`).toContain(`<dt id="${m.group}-${m.key}">`);
      const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((x) => x[1]);
      expect(new Set(ids).size).toBe(ids.length);
    }
    // a definition with its time basis, `code` set as code
    const en = renderGlossaryHtml('en');
    expect(en).toContain('<dt id="overview-orders">Orders</dt><dd><code>ordersCreated − ordersCancelled</code><br><small>Counted by: the order creation time in the shop time zone');
    expect(renderGlossaryHtml('vi-VN')).toContain('<h1>Ý nghĩa các chỉ số</h1>');
  });
});

describe('the page of a failed link', () => {
  it('says why in the language asked for', () => {
    expect(renderLinkErrorHtml('expired', 'vi-VN')).toContain('<h1>Liên kết đã hết hạn</h1>');
    expect(renderLinkErrorHtml('invalid', 'en')).toContain('<h1>This link is not valid</h1>');
    expect(renderLinkErrorHtml('invalid', 'en')).toContain('<html lang="en"');
  });
});
