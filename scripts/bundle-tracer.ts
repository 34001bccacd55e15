/**
 * Bundling step (scripts/bundle-function.ts, for every function):
 * writes the Powertools Tracer as its own module beside a function's bundle,
 *
 *   tsx scripts/bundle-tracer.ts <bundle dir>
 *
 * → `<dir>/tracer.mjs` (lib/aws/tracer.ts with the X-Ray SDK, the same
 * esbuild options as the function) and `<dir>/package.json`, whose `imports`
 * map `#tracer` to it (and any other module shipped beside the bundle,
 * `otherImports`: `#xlsx-writer`). The function bundle keeps `import('#tracer')`
 * external and runs it only when tracing is on (lib/aws/tracing.ts).
 */
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildOptions } from '../infra/bundling.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleTracer(dir: string, otherImports: Record<string, string> = {}): Promise<string> {
  const outfile = path.join(dir, 'tracer.mjs');
  await build({ ...esbuildOptions(path.join(ROOT, 'lib', 'aws', 'tracer.ts'), outfile), absWorkingDir: ROOT, logLevel: 'warning' });
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ type: 'module', imports: { '#tracer': './tracer.mjs', ...otherImports } }, null, 2)}\n`);
  return outfile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: tsx scripts/bundle-tracer.ts <bundle dir>');
  await bundleTracer(path.resolve(dir));
}
