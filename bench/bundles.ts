import { build } from 'esbuild';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/**
 * Bundles each Lambda handler the way the stack does (esbuild, ESM, minified,
 * SDK bundled) and measures its size and the time Node takes to load it
 * (median of 5 cold processes).
 */
export async function measureBundles(): Promise<Array<{ fn: string; bytes: number; loadMs: number | string }>> {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/compile-templates.ts'], { stdio: 'ignore' });
  const out: Array<{ fn: string; bytes: number; loadMs: number | string }> = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-bundles-'));
  for (const fn of readdirSync('functions').sort()) {
    const entry = path.join('functions', fn, 'handler.ts');
    const outfile = path.join(dir, `${fn}.mjs`);
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      minify: true,
      outfile,
      external: ['mjml'],
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    // ship the compiled templates beside the bundle, as the stack's bundling hook does
    mkdirSync(path.join(dir, 'templates', 'compiled'), { recursive: true });
    for (const f of readdirSync('templates/compiled')) copyFileSync(path.join('templates/compiled', f), path.join(dir, 'templates', 'compiled', f));
    const probe = path.join(dir, `${fn}-load.mjs`);
    writeFileSync(probe, `const t=performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now()-t);`);
    const times: number[] = [];
    try {
      for (let i = 0; i < 5; i++) times.push(Number(execFileSync(process.execPath, [probe], { env: { ...process.env, TABLE_NAME: 'x' }, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim()));
      times.sort((a, b) => a - b);
      out.push({ fn, bytes: statSync(outfile).size, loadMs: times[2]! });
    } catch (err) {
      const first = String((err as { stderr?: Buffer }).stderr ?? err).split('\n').find((l) => /Error/.test(l)) ?? 'failed';
      out.push({ fn, bytes: statSync(outfile).size, loadMs: `does not load: ${first.slice(0, 120)}` });
    }
  }
  return out;
}
