import { describe, expect, it } from 'vitest';
import { digestWithInsights, threeInsights } from '#test/support/fixtures/insights-digest.ts';

/** The insights block of the digest: first, in the recipient's language, escaped, and the email still under Gmail's clip. */
describe('digest insights block', () => {
  it('shows three insights before the key figures, vi and en, in HTML and text, under 90 KB with 20 staff and 20 ads', () => {
    for (const [locale, title, kpis] of [['vi-VN', 'Điều gì đã thay đổi', 'Chỉ số chính'], ['en', 'What changed', 'Key figures']] as const) {
      const insights = threeInsights(locale);
      expect(insights).toHaveLength(3);
      const { html, text } = digestWithInsights(locale, insights);
      expect(Buffer.byteLength(html)).toBeLessThan(90 * 1024);
      const at = html.indexOf(title);
      expect(at).toBeGreaterThan(0);
      expect(at).toBeLessThan(html.indexOf(kpis));
      for (const i of insights) {
        expect(html).toContain(i.sentence.replaceAll('&', '&amp;'));
        expect(text).toContain(`- ${i.sentence}`);
      }
      // bad news red, good news green
      expect(html).toContain('color:#b91c1c;font-size:12px');
      expect(html).toContain('color:#047857;font-size:12px');
    }
  });

  it('an ordinary day has no block at all', () => {
    const { html, text } = digestWithInsights('en', []);
    expect(html).not.toContain('What changed');
    expect(text).not.toContain('WHAT CHANGED');
  });
});
