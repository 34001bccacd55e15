import type { Locale } from '#lib/shops/schema.ts';
import { formatNumber, formatPercent } from '#lib/email/i18n.ts';

/**
 * Charts of the `format=html` pages as inline SVG: no script, no external
 * resource (the page's CSP allows neither), drawn from the report's own
 * figures. Each scales to its box (`viewBox`, width 100 %, capped on a
 * desktop) and carries a title a screen reader announces; the tables below
 * each chart hold the exact numbers.
 */

const W = 400;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const TEAL = '#0f766e';
const ORANGE = '#ea580c';
const GRID = '#e5e7eb';
const INK = '#4b5563';

/** A round ceiling for an axis: 1, 2, 5 × 10^n at or above `v`. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function svg(title: string, height: number, body: string): string {
  return `<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(title)}" font-size="11" fill="${INK}"><title>${esc(title)}</title>${body}</svg>`;
}

function legend(items: Array<[string, string]>, y: number): string {
  let x = 40;
  return items
    .map(([color, text]) => {
      const out = `<rect x="${x}" y="${y - 8}" width="10" height="10" rx="2" fill="${color}"/><text x="${x + 14}" y="${y + 1}">${esc(text)}</text>`;
      x += 24 + text.length * 6;
      return out;
    })
    .join('');
}

export type Series = { label: string; values: number[] };

/**
 * Bars for one series and a line for a second (both counts on one axis),
 * over labelled slots (days, months or hours); every `labelEvery`-th slot
 * is named under the axis.
 */
export function barLineChart(title: string, slots: string[], bars: Series, line: Series | undefined, locale: Locale, labelEvery = 1): string {
  const H = 190;
  const top = 26;
  const bottom = 160;
  const left = 40;
  const right = W - 8;
  const max = niceMax(Math.max(0, ...bars.values, ...(line?.values ?? [])));
  const n = Math.max(1, slots.length);
  const step = (right - left) / n;
  const y = (v: number) => bottom - ((bottom - top) * v) / max;
  const grid = [0, 0.5, 1].map((f) => `<line x1="${left}" x2="${right}" y1="${y(max * f).toFixed(1)}" y2="${y(max * f).toFixed(1)}" stroke="${GRID}"/><text x="${left - 4}" y="${(y(max * f) + 4).toFixed(1)}" text-anchor="end">${esc(formatNumber(max * f, locale))}</text>`).join('');
  const barW = Math.max(1, step * 0.7);
  const rects = bars.values.map((v, i) => `<rect x="${(left + i * step + (step - barW) / 2).toFixed(1)}" y="${y(v).toFixed(1)}" width="${barW.toFixed(1)}" height="${(bottom - y(v)).toFixed(1)}" fill="${TEAL}"/>`).join('');
  const points = line?.values.map((v, i) => `${(left + i * step + step / 2).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const path = line && line.values.length > 1 ? `<polyline points="${points}" fill="none" stroke="${ORANGE}" stroke-width="2"/>` : line ? line.values.map((v, i) => `<circle cx="${(left + i * step + step / 2).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${ORANGE}"/>`).join('') : '';
  const labels = slots.map((s, i) => (i % labelEvery === 0 || i === slots.length - 1 && slots.length <= 2 ? `<text x="${(left + i * step + step / 2).toFixed(1)}" y="${bottom + 14}" text-anchor="middle">${esc(s)}</text>` : '')).join('');
  const keys: Array<[string, string]> = [[TEAL, bars.label], ...(line ? [[ORANGE, line.label] as [string, string]] : [])];
  return svg(title, H, `${legend(keys, 12)}${grid}${rects}${path}${labels}`);
}

/** The funnel as horizontal bars, each stage with its count and its share of the first stage. */
export function funnelChart(title: string, stages: Array<{ label: string; value: number }>, locale: Locale): string {
  const rowH = 34;
  const H = 8 + stages.length * rowH;
  const first = stages[0]?.value ?? 0;
  const max = Math.max(1, ...stages.map((s) => s.value));
  const barLeft = 120;
  const barMax = W - barLeft - 110;
  const rows = stages.map((s, i) => {
    const y = 8 + i * rowH;
    const w = Math.max(s.value > 0 ? 2 : 0, (barMax * s.value) / max);
    const share = first > 0 ? ` · ${formatPercent(s.value / first, locale)}` : '';
    return `<text x="${barLeft - 6}" y="${y + 15}" text-anchor="end">${esc(s.label)}</text><rect x="${barLeft}" y="${y + 3}" width="${w.toFixed(1)}" height="18" rx="3" fill="${TEAL}" fill-opacity="${(1 - i * 0.18).toFixed(2)}"/><text x="${(barLeft + w + 6).toFixed(1)}" y="${y + 16}" font-weight="600">${esc(formatNumber(s.value, locale) + share)}</text>`;
  });
  return svg(title, H, rows.join(''));
}
