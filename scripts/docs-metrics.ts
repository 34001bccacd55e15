/**
 * Writes the metrics table of docs/metrics.md from lib/reports/metrics.ts (the one
 * definition of every metric). `npm run docs:metrics`; with `--check` it
 * exits 1 when docs/metrics.md is stale (the unit test checks the same).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withMetricsTable } from '#lib/reports/metrics.ts';

const path = new URL('../docs/metrics.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withMetricsTable(before);
if (process.argv.includes('--check')) {
  if (before !== after) {
    console.error('docs/metrics.md metrics table is stale: run npm run docs:metrics');
    process.exit(1);
  }
} else if (before !== after) {
  writeFileSync(path, after);
  console.log('docs/metrics.md metrics table updated');
}
