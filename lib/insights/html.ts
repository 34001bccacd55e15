import type { Locale } from '#lib/shops/schema.ts';
import { insightsHeading } from '#lib/insights/sentence.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * The insights block at the top of the html overview page (inline styles
 * only, as the page's CSP allows): '' on an ordinary day.
 */
export function insightsHtml(period: 'daily' | 'weekly', insights: ReadonlyArray<{ sentence: string; worse: boolean }>, locale: Locale): string {
  if (insights.length === 0) return '';
  const h = insightsHeading(period, locale);
  const items = insights
    .map((i) => `<li style="margin:0 0 6px;padding-left:4px;"><span style="color:${i.worse ? '#b91c1c' : '#047857'};">&#9679;</span> ${esc(i.sentence)}</li>`)
    .join('');
  return `<section style="margin:16px 0 8px;padding:12px 14px;border:1px solid #fde68a;background:#fffbeb;border-radius:8px;"><h2 style="font-size:16px;margin:0 0 2px;color:#111827;">${esc(h.title)}</h2><div style="font-size:12px;color:#6b7280;margin-bottom:8px;">${esc(h.note)}</div><ul style="list-style:none;margin:0;padding:0;font-size:14px;line-height:20px;color:#111827;">${items}</ul></section>`;
}
