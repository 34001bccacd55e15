/**
 * Bundles one Lambda function as it is deployed (the stack runs this for
 * every function: infra/constructs/chatpulse-function.ts; bench/bundle-sizes.ts
 * measures what it writes):
 *
 *   tsx scripts/bundle-function.ts <function> <out dir>
 *
 * → `<dir>/index.mjs` (+ `.map`), esbuild with infra/bundling.ts's options;
 * `<dir>/templates/compiled/*.html`, the MJML templates compiled once, where
 * lib/email/compile.ts looks first (so no bundle loads mjml); `<dir>/openapi.json`,
 * which lib/reports/openapi-served.ts serves (so no bundle carries zod's JSON
 * Schema generator); and `<dir>/tracer.mjs` + `<dir>/package.json` mapping
 * `#tracer` to it (scripts/bundle-tracer.ts); `<dir>/xlsx-writer.mjs`, mapped
 * as `#xlsx-writer`, for a function that can answer `format=xlsx`.
 */
import { build, type Metafile } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { esbuildOptions, handlerEntry, PROJECT_ROOT as ROOT } from '../infra/bundling.ts';
import { bundleTracer } from './bundle-tracer.ts';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** What every function ships beside its bundle, built once per run. */
export type SharedFiles = { compiledTemplates: string; openapi: string };

/** Compiles the MJML templates and writes the OpenAPI document into `dir`. */
export function buildSharedFiles(dir: string): SharedFiles {
  execFileSync(TSX, ['scripts/compile-templates.ts'], { cwd: ROOT, stdio: 'ignore' });
  mkdirSync(dir, { recursive: true });
  const openapi = path.join(dir, 'openapi.json');
  execFileSync(TSX, ['scripts/build-openapi.ts', openapi], { cwd: ROOT, stdio: 'ignore' });
  return { compiledTemplates: path.join(ROOT, 'templates', 'compiled'), openapi };
}

export type BundledFunction = { outfile: string; tracerFile: string; metafile: Metafile };

/** Bundles `functions/<name>/handler.ts` into `outDir` with everything it ships beside it. */
export async function bundleFunction(name: string, outDir: string, shared: SharedFiles = buildSharedFiles(outDir)): Promise<BundledFunction> {
  const entry = handlerEntry(name);
  if (!existsSync(entry)) throw new Error(`no function ${name}: ${path.relative(ROOT, entry)} does not exist`);
  const outfile = path.join(outDir, 'index.mjs');
  const { metafile } = await build({ ...esbuildOptions(entry, outfile), absWorkingDir: ROOT, logLevel: 'warning', metafile: true });
  const templates = path.join(outDir, 'templates', 'compiled');
  mkdirSync(templates, { recursive: true });
  for (const f of readdirSync(shared.compiledTemplates)) copyFileSync(path.join(shared.compiledTemplates, f), path.join(templates, f));
  if (path.resolve(shared.openapi) !== path.join(outDir, 'openapi.json')) copyFileSync(shared.openapi, path.join(outDir, 'openapi.json'));
  // modules kept out of the bundle and loaded on demand ship beside it when the bundle imports them
  const other: Record<string, string> = {};
  const imports = Object.values(metafile.outputs).flatMap((o) => o.imports ?? []);
  if (imports.some((i) => i.path === '#xlsx-writer' && i.external)) {
    await build({ ...esbuildOptions(path.join(ROOT, 'lib', 'reports', 'xlsx-writer.ts'), path.join(outDir, 'xlsx-writer.mjs')), absWorkingDir: ROOT, logLevel: 'warning' });
    other['#xlsx-writer'] = './xlsx-writer.mjs';
  }
  const tracerFile = await bundleTracer(outDir, other);
  return { outfile, tracerFile, metafile };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [name, dir] = process.argv.slice(2);
  if (!name || !dir) {
    console.error('usage: tsx scripts/bundle-function.ts <function> <out dir>');
    process.exit(2);
  }
  await bundleFunction(name, path.resolve(dir));
}
