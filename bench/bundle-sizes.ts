/**
 * Bundle size and module-load time of every Lambda function, bundled by the
 * script the stack runs (scripts/bundle-function.ts, with infra/bundling.ts's
 * options), so the numbers describe what `cdk deploy` ships.
 *
 *   npx tsx bench/bundle-sizes.ts
 *
 * For each `functions/<name>/handler.ts`: `<tmp>/<name>/index.mjs`
 * (+ source map, the compiled templates, openapi.json and tracer.mjs shipped
 * beside it), then 7 fresh `node` processes each `import()` the
 * bundle as deployed (no NODE_OPTIONS), 7 more with `--enable-source-maps`
 * and 7 with tracing on, for comparison; the median import time is reported
 * (module evaluation only, no handler call, no network). The same is done in
 * the same run for the baseline commit's bundles (BASELINE_COMMIT, loaded as
 * they were deployed; `BASELINE=0` skips it). Prints a Markdown table.
 */
import { build, type BuildOptions } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ESBUILD_TARGET, handlerEntry, LAMBDA_RUNTIME, PROJECT_ROOT } from '../infra/bundling.ts';
import { bundleFunction, buildSharedFiles } from '../scripts/bundle-function.ts';

const RUNS = 7;

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

/**
 * The commit measured as "before": the last one before issue 14 (hand-written
 * logger, EMF writer, MIME builder and secret cache; classic zod; functions
 * run with --enable-source-maps, as its stack set NODE_OPTIONS).
 */
export const BASELINE_COMMIT = '2c0c872';

type Baseline = { commit: string; root: string; esbuildOptions: (entry: string, outfile: string) => BuildOptions; cleanup: () => void };

/**
 * Checks the baseline commit out into a temporary git worktree that shares
 * this checkout's node_modules (the same pinned packages), so its bundles are
 * built and loaded in the same run as ours. Undefined without git history.
 */
export async function checkoutBaseline(commit = BASELINE_COMMIT): Promise<Baseline | undefined> {
  const root = mkdtempSync(path.join(tmpdir(), 'chatpulse-baseline-'));
  const modules = path.join(root, 'node_modules');
  const cleanup = () => {
    if (existsSync(modules)) unlinkSync(modules); // the link only, never the packages it points at
    try {
      execFileSync('git', ['worktree', 'remove', '--force', root], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    } catch {
      rmSync(root, { recursive: true, force: true });
    }
  };
  try {
    execFileSync('git', ['worktree', 'add', '--detach', '--force', root, commit], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), modules, 'dir');
    execFileSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/compile-templates.ts'], { cwd: root, stdio: 'ignore' });
    const mod = (await import(pathToFileURL(path.join(root, 'infra', 'bundling.ts')).href)) as { esbuildOptions: Baseline['esbuildOptions'] };
    return { commit, root, esbuildOptions: mod.esbuildOptions, cleanup };
  } catch {
    cleanup();
    return undefined;
  }
}

export type BundleMeasure = {
  fn: string;
  /** the baseline commit's bundle of the same function, loaded as it was deployed (with --enable-source-maps) */
  baseline?: { bytes: number; loadMs: number[] };
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

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Bundles and measures every function; `dir` receives the bundles (a temporary folder by default). */
export async function measureBundleSizes(dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-bundle-sizes-')), baseline?: Baseline): Promise<BundleMeasure[]> {
  // what the stack runs for every function (scripts/bundle-function.ts), the shared files built once
  const shared = buildSharedFiles(dir);
  const out: BundleMeasure[] = [];
  for (const fn of readdirSync(path.join(PROJECT_ROOT, 'functions')).sort()) {
    if (!existsSync(handlerEntry(fn))) continue;
    const fnDir = path.join(dir, fn);
    const { outfile, tracerFile, metafile } = await bundleFunction(fn, fnDir, shared);
    // zod's share of the bundle, from esbuild's metafile (bytes each input contributes to the output)
    const inputs = Object.entries(metafile.outputs[path.relative(PROJECT_ROOT, outfile)]?.inputs ?? {}).filter(([p]) => p.includes('node_modules/zod/'));

    const probe = path.join(fnDir, 'load.mjs');
    writeFileSync(probe, `const t = performance.now(); await import('./index.mjs'); process.stdout.write(String(performance.now() - t));`);
    // the baseline's bundle of the same function, built with its own options and templates
    let baseDir: string | undefined;
    if (baseline && existsSync(path.join(baseline.root, 'functions', fn, 'handler.ts'))) {
      baseDir = path.join(dir, `${fn}.baseline`);
      mkdirSync(path.join(baseDir, 'templates', 'compiled'), { recursive: true });
      await build({ ...baseline.esbuildOptions(path.join(baseline.root, 'functions', fn, 'handler.ts'), path.join(baseDir, 'index.mjs')), absWorkingDir: baseline.root, logLevel: 'silent' });
      const baseCompiled = path.join(baseline.root, 'templates', 'compiled');
      for (const f of readdirSync(baseCompiled)) copyFileSync(path.join(baseCompiled, f), path.join(baseDir, 'templates', 'compiled', f));
      copyFileSync(probe, path.join(baseDir, 'load.mjs'));
    }
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
      ...(baseDir ? { baseline: { bytes: statSync(path.join(baseDir, 'index.mjs')).size, loadMs: [] } } : {}),
    };
    const series = baseDir ? 4 : 3;
    try {
      for (let i = 0; i < series * RUNS; i++) {
        // interleaved, so every series sees the same moments of a noisy machine
        const withMaps = i % series === 1;
        const traced = i % series === 2;
        const before = i % series === 3;
        const stdout = execFileSync(process.execPath, [...(withMaps || before ? ['--enable-source-maps'] : []), before ? path.join(baseDir!, 'load.mjs') : probe], {
          cwd: before ? baseDir! : fnDir,
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
        (before ? measure.baseline!.loadMs : withMaps ? measure.loadWithMapsMs : traced ? measure.loadTracedMs : measure.loadMs).push(Number(stdout.toString().trim()));
      }
    } catch (err) {
      const stderr = String((err as { stderr?: Buffer }).stderr ?? err);
      measure.error = (stderr.split('\n').find((l) => /Error/.test(l)) ?? 'failed').slice(0, 160);
    }
    out.push(measure);
  }
  return out;
}

/** The Markdown table of the measures (with the baseline's columns when it was measured). */
export function bundleSizesTable(rows: BundleMeasure[]): string {
  const kb = (n: number) => (n / 1024).toFixed(1);
  const ms = (r: BundleMeasure, xs: number[]) => (r.error ? '—' : median(xs).toFixed(1));
  const withBase = rows.some((r) => r.baseline);
  const lines = [
    withBase
      ? `| function | bundle before (KB) | bundle now (KB) | ≤ 400 KB | gzip now (KB) | of which zod (KB) | load before, as deployed then (ms) | load now, as deployed (ms) | now, fastest run (ms) | now / before | now with --enable-source-maps (ms) | now with tracing on (ms) |`
      : `| function | bundle (KB) | ≤ 400 KB | gzip (KB) | of which zod (KB) | module load as deployed (ms) | with --enable-source-maps (ms) | with tracing on (ms) |`,
    withBase ? '| --- | ---: | ---: | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |' : '| --- | ---: | :---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => {
      const now = r.error ? `does not load: ${r.error}` : median(r.loadMs).toFixed(1);
      const zod = `${kb(r.zodBytes)}${r.zodClassic ? ' (classic API)' : ''}`;
      const fits = r.bytes <= 400 * 1024 ? 'yes' : 'no';
      if (!withBase) return `| ${r.fn} | ${kb(r.bytes)} | ${fits} | ${kb(r.gzipBytes)} | ${zod} | ${now} | ${ms(r, r.loadWithMapsMs)} | ${ms(r, r.loadTracedMs)} |`;
      const b = r.baseline;
      const ratio = b && !r.error && b.loadMs.length ? (median(r.loadMs) / median(b.loadMs)).toFixed(2) : '—';
      return `| ${r.fn} | ${b ? kb(b.bytes) : '—'} | ${kb(r.bytes)} | ${fits} | ${kb(r.gzipBytes)} | ${zod} | ${b && b.loadMs.length ? median(b.loadMs).toFixed(1) : '—'} | ${now} | ${r.error ? '—' : Math.min(...r.loadMs).toFixed(1)} | ${ratio} | ${ms(r, r.loadWithMapsMs)} | ${ms(r, r.loadTracedMs)} |`;
    }),
    '',
    `Module load: median of ${RUNS} fresh \`node\` processes each importing the bundle (no handler call, no network), the series interleaved; the fastest run is shown beside it because this shared machine is noisy in bursts (the same bundle loads in ~80 or ~120 ms from one process to the next). ` +
      `"Tracing on" also imports tracer.mjs (Powertools Tracer + X-Ray SDK, ${kb(rows[0]?.tracerBytes ?? 0)} KB, shipped beside each bundle, loaded only with \`POWERTOOLS_TRACE_ENABLED=true\`).`,
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-bundle-sizes-'));
  const baseline = process.env.BASELINE === '0' ? undefined : await checkoutBaseline();
  try {
    const rows = await measureBundleSizes(dir, baseline);
    console.log(bundleSizesTable(rows));
    console.log(
      `\nesbuild ${ESBUILD_TARGET} ESM, minified, source map beside the bundle (not applied at load), SDK bundled (infra/bundling.ts; deployed on ${LAMBDA_RUNTIME.name} arm64); ` +
        `loaded here with node ${process.version} on ${process.arch}, ${RUNS} fresh processes each.`,
    );
  } finally {
    baseline?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}
