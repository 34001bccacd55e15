/**
 * Build step (`npm run build:templates`): compiles every `templates/*.mjml`
 * once, strictly, into `templates/compiled/<name>.html` (generated, not
 * committed). lib/email/compile.ts prefers those files, so a bundle that
 * ships them never loads mjml at run time. Exits non-zero on any MJML error.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TEMPLATE_DIRS, compileTemplateFile, compiledTemplatePath } from '#lib/email/compile.ts';

const dir = TEMPLATE_DIRS[0]!;
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.mjml'))
  .map((f) => f.slice(0, -'.mjml'.length));
mkdirSync(path.join(dir, 'compiled'), { recursive: true });
for (const name of names) {
  const started = performance.now();
  const { html, file } = await compileTemplateFile(name);
  const out = compiledTemplatePath(name, dir);
  writeFileSync(out, file);
  console.log(`${path.relative(process.cwd(), out)}: ${html.length} bytes in ${(performance.now() - started).toFixed(0)} ms`);
}
