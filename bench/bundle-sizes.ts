/**
 * Bundle size and module-load time of every Lambda function, bundled with the
 * stack's own esbuild options (infra/bundling.ts), so the numbers describe
 * what `cdk deploy` ships.
 *
 *   npx tsx bench/bundle-sizes.ts
 *
 * For each `functions/<name>/handler.ts`: esbuild → `<tmp>/<name>/index.mjs`
 * (+ source map, + the compiled templates, openapi.json and tracer.mjs the
 * bundling hook ships), then 5 fresh `node` processes each `import()` the
 * bundle as deployed (no NODE_OPTIONS), 5 more with `--enable-source-maps`
 * and 5 with tracing on, for comparison; the median import time is reported
 * (module evaluation only, no handler call, no network). Prints a Markdown
 * table.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ESBUILD_TARGET, esbuildOptions, LAMBDA_RUNTIME } from '../infra/bundling.ts';
import { PROJECT_ROOT, handlerEntry } from '../infra/constructs/chatpulse-function.ts';
import { bundleTracer } from '../scripts/bundle-tracer.ts';

const RUNS = 5;

/** Placeholder values (never used for a call) for the settings the functions require when they start. */
const BENCH_SETTINGS = {
  META_APP_SECRET: 'bench-meta-app-secret',
  META_VERIFY_TOKEN: 'bench-verify-token',
  ZALO_APP_ID: 'bench-zalo-app',
  ZALO_OA_SECRET_KEY: 'bench-zalo-oa-key',
  ORDER_WEBHOOK_SECRET: 'bench-order-secret',
  ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
  UNSUBSCRIBE_SIGNING_KEY: 'bench-unsubscribe-signing-key-0123456789',
  REPORT_LINK_KEY: 'bench-report-link-key-0123456789abcdef',
};

export type BundleMeasure = {
  fn: string;
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  zodBytes: number;
  zodClassic: boolean;
  /** tracer.mjs beside the bundle, loaded only with tracing on */
  tracerBytes: number;
  loadMs: number[];
  loadWithMapsMs: number[];
  loadTracedMs: number[];
  error?: string;
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Bundles and measures every function; `dir` receives the bundles (a temporary folder by default). */
export async function measureBundleSizes(dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-bundle-sizes-'))): Promise<BundleMeasure[]> {
  // the same steps as the bundling hook (commandHooks.afterBundling): compile the MJML templates and generate the OpenAPI document once
  const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  execFileSync(tsx, ['scripts/compile-templates.ts'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
  const compiled = path.join(PROJECT_ROOT, 'templates', 'compiled');
  const openapi = path.join(dir, 'openapi.json');
  execFileSync(tsx, ['scripts/build-openapi.ts', openapi], { cwd: PROJECT_ROOT, stdio: 'ignore' });
  const out: BundleMeasure[] = [];
  for (const fn of readdirSync(path.join(PROJECT_ROOT, 'functions')).sort()) {
    const entry = handlerEntry(fn);
    if (!existsSync(entry)) continue;
    const fnDir = path.join(dir, fn);
    mkdirSync(path.join(fnDir, 'templates', 'compiled'), { recursive: true });
    const outfile = path.join(fnDir, 'index.mjs');
    const { metafile } = await build({ ...esbuildOptions(entry, outfile), absWorkingDir: PROJECT_ROOT, logLevel: 'silent', metafile: true });
    // zod's share of the bundle, from esbuild's metafile (bytes each input contributes to the output)
    const inputs = Object.entries(metafile.outputs[path.relative(PROJECT_ROOT, outfile)]?.inputs ?? {}).filter(([p]) => p.includes('node_modules/zod/'));
    for (const f of readdirSync(compiled)) copyFileSync(path.join(compiled, f), path.join(fnDir, 'templates', 'compiled', f));
    copyFileSync(openapi, path.join(fnDir, 'openapi.json'));
    // the same step as the bundling hook: the Tracer beside the bundle
    const tracerFile = await bundleTracer(fnDir);

    const probe = path.join(fnDir, 'load.mjs');
    writeFileSync(probe, `const t = performance.now(); await import('./index.mjs'); process.stdout.write(String(performance.now() - t));`);
    const measure: BundleMeasure = {
      fn,
      bytes: statSync(outfile).size,
      gzipBytes: gzipSync(readFileSync(outfile)).length,
      mapBytes: statSync(`${outfile}.map`).size,
      tracerBytes: statSync(tracerFile).size,
      zodBytes: inputs.reduce((sum, [, i]) => sum + i.bytesInOutput, 0),
      zodClassic: inputs.some(([p, i]) => p.includes('node_modules/zod/v4/classic/') && i.bytesInOutput > 0),
      loadMs: [],
      loadWithMapsMs: [],
      loadTracedMs: [],
    };
    try {
      for (let i = 0; i < 3 * RUNS; i++) {
        // interleaved, so every series sees the same moments of a noisy machine
        const withMaps = i % 3 === 1;
        const traced = i % 3 === 2;
        const stdout = execFileSync(process.execPath, [...(withMaps ? ['--enable-source-maps'] : []), probe], {
          cwd: fnDir,
          env: {
            PATH: process.env.PATH,
            TABLE_NAME: 'bench',
            AWS_REGION: 'ap-southeast-1',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            // placeholders for the settings each function checks at init (lib/startup.ts), so every bundle loads
            ...BENCH_SETTINGS,
            // tracing on: the handler's init loads tracer.mjs (the Tracer stays idle outside Lambda)
            ...(traced ? { POWERTOOLS_TRACE_ENABLED: 'true' } : {}),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        (withMaps ? measure.loadWithMapsMs : traced ? measure.loadTracedMs : measure.loadMs).push(Number(stdout.toString().trim()));
      }
    } catch (err) {
      const stderr = String((err as { stderr?: Buffer }).stderr ?? err);
      measure.error = (stderr.split('\n').find((l) => /Error/.test(l)) ?? 'failed').slice(0, 160);
    }
    out.push(measure);
  }
  return out;
}

/** The Markdown table of the measures. */
export function bundleSizesTable(rows: BundleMeasure[]): string {
  const kb = (n: number) => (n / 1024).toFixed(1);
  const lines = [
    `| function | bundle (KB) | gzip (KB) | source map (KB) | of which zod (KB) | module load as deployed, median of ${RUNS} (ms) | with --enable-source-maps (ms) | with tracing on (+ tracer.mjs, ms) |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.fn} | ${kb(r.bytes)} | ${kb(r.gzipBytes)} | ${kb(r.mapBytes)} | ${kb(r.zodBytes)}${r.zodClassic ? ' (classic API)' : ''} | ${r.error ? `does not load: ${r.error}` : median(r.loadMs).toFixed(1)} | ${r.error ? '—' : median(r.loadWithMapsMs).toFixed(1)} | ${r.error ? '—' : median(r.loadTracedMs).toFixed(1)} |`,
    ),
    '',
    `tracer.mjs (Powertools Tracer + X-Ray SDK, shipped beside each bundle, loaded only with \`POWERTOOLS_TRACE_ENABLED=true\`): ${kb(rows[0]?.tracerBytes ?? 0)} KB.`,
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-bundle-sizes-'));
  try {
    const rows = await measureBundleSizes(dir);
    console.log(bundleSizesTable(rows));
    console.log(
      `\nesbuild ${ESBUILD_TARGET} ESM, minified, source map beside the bundle (not applied at load), SDK bundled (infra/bundling.ts; deployed on ${LAMBDA_RUNTIME.name} arm64); ` +
        `loaded here with node ${process.version} on ${process.arch}, ${RUNS} fresh processes each.`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
