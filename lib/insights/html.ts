import type { Locale } from '#lib/shops/schema.ts';
import { esc } from '#lib/reports/pages.ts';
import { insightsHeading } from '#lib/insights/sentence.ts';

/**
 * The insights block at the top of the html overview page: '' on an
 * ordinary day. Styled by the page's one style block (`.ins` in
 * lib/reports/pages.ts); sentences wrap, so the block never widens the page
 * at 390 px.
 */
export function insightsHtml(period: 'daily' | 'weekly', insights: ReadonlyArray<{ sentence: string; worse: boolean }>, locale: Locale): string {
  if (insights.length === 0) return '';
  const h = insightsHeading(period, locale);
  const items = insights.map((i) => `<li class="${i.worse ? 'bad' : 'good'}">${esc(i.sentence)}</li>`).join('');
  return `<section class="ins"><h2>${esc(h.title)}</h2><p class="note">${esc(h.note)}</p><ul>${items}</ul></section>`;
}
