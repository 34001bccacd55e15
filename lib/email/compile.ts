import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseSkeleton, type Skeleton } from '#lib/email/skeleton.ts';

/**
 * MJML templates, compiled once into HTML skeletons with `{{placeholders}}`.
 *
 * `scripts/compile-templates.ts` writes `templates/compiled/<name>.html`
 * (a generated file, not committed); when that file is present it is used
 * as is, so a deployed bundle never loads mjml (~400 ms). Without it, the
 * first use compiles `templates/<name>.mjml` (mjml is imported lazily, only
 * then). A compiled file records the SHA-256 of the source it came from: when
 * the source sits next to it and has changed since, it is compiled afresh
 * rather than mailing a stale layout.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * Folders searched for templates: the repository's `templates/` (source
 * tree, tsx, vitest), then `templates/` next to the running file (a bundle
 * that copied `templates/compiled/` beside itself).
 */
export const TEMPLATE_DIRS: readonly string[] = [path.resolve(HERE, '../../templates'), path.resolve(HERE, 'templates')];

const HEADER = /^<!-- chatpulse compiled from (\S+) sha256=([0-9a-f]{64}) -->\n/;

/** An MJML template that does not compile cleanly under strict validation. */
export class TemplateCompileError extends Error {
  constructor(
    message: string,
    public readonly errors: ReadonlyArray<{ line: number; tagName: string; message: string }> = [],
  ) {
    super(message);
    this.name = 'TemplateCompileError';
  }
}

const cache = new Map<string, Skeleton>();

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function findFile(rel: string): string | undefined {
  for (const dir of TEMPLATE_DIRS) {
    const p = path.join(dir, rel);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Path of `templates/<name>.mjml`, or undefined when this deployment has no sources. */
export function templateSourcePath(name: string): string | undefined {
  return findFile(`${name}.mjml`);
}

/** Where the build step writes the compiled skeleton of `name`. */
export function compiledTemplatePath(name: string, dir = TEMPLATE_DIRS[0]!): string {
  return path.join(dir, 'compiled', `${name}.html`);
}

/**
 * Compiles MJML to HTML with strict validation; throws TemplateCompileError
 * listing every MJML error (MJML 5 is async).
 */
export async function compileMjml(source: string, filePath?: string): Promise<string> {
  const { default: mjml2html } = await import('mjml');
  let out: Awaited<ReturnType<typeof mjml2html>>;
  try {
    // fonts: {} — MJML would otherwise add a Google Fonts <link> and @import for any font it knows
    // (Roboto, Open Sans, …) named in a font-family: the email must fetch nothing when it opens (SPEC §4.3)
    out = await mjml2html(source, { validationLevel: 'strict', keepComments: false, fonts: {}, ...(filePath ? { filePath } : {}) });
  } catch (err) {
    const errors = ((err as { errors?: Array<{ line: number; tagName: string; message: string }> }).errors ?? []).map((e) => ({
      line: e.line,
      tagName: e.tagName,
      message: e.message,
    }));
    throw new TemplateCompileError(`MJML errors in ${filePath ?? 'template'}: ${(err as Error).message.trim()}`, errors);
  }
  if (out.errors.length > 0) {
    throw new TemplateCompileError(
      `MJML errors in ${filePath ?? 'template'}: ${out.errors.map((e) => e.formattedMessage).join('; ')}`,
      out.errors.map((e) => ({ line: e.line, tagName: e.tagName, message: e.message })),
    );
  }
  return collapseWhitespace(out.html);
}

/**
 * MJML's output is indented source: about a fifth of a digest's bytes are
 * newlines and indentation, which count toward Gmail's 102 KB clip like any
 * markup. Every run of whitespace that holds a line break goes: between two
 * tags entirely, elsewhere (inside a tag, in the head's CSS) down to one
 * space. That whitespace renders as nothing: MJML's sections and columns sit
 * in `font-size:0` cells precisely so that it does not, and no template
 * breaks a line inside text. Whitespace within a line (`</span> <strong>`)
 * is kept. What MJML's `minify` option does, without its extra dependencies.
 */
export function collapseWhitespace(html: string): string {
  return html.replace(/>\s*\n\s*</g, '><').replace(/\s*\n\s*/g, ' ').trim();
}

/** Compiles `templates/<name>.mjml` and returns the file body the build step writes (a provenance line, then the HTML). */
export async function compileTemplateFile(name: string): Promise<{ html: string; file: string }> {
  const src = templateSourcePath(name);
  if (!src) throw new TemplateCompileError(`template ${name}.mjml not found in ${TEMPLATE_DIRS.join(', ')}`);
  const source = readFileSync(src, 'utf8');
  const html = await compileMjml(source, src);
  return { html, file: `<!-- chatpulse compiled from ${name}.mjml sha256=${sha256(source)} -->\n${html}` };
}

/** The precompiled skeleton, if present and not older than a source beside it. */
function readPrecompiled(name: string): string | undefined {
  const file = findFile(path.join('compiled', `${name}.html`));
  if (!file) return undefined;
  const body = readFileSync(file, 'utf8');
  const m = HEADER.exec(body);
  if (!m) return undefined;
  const src = templateSourcePath(name);
  if (src && sha256(readFileSync(src, 'utf8')) !== m[2]) return undefined; // stale: the source changed since the build
  return body.slice(m[0].length);
}

/**
 * The parsed skeleton of `name`, from the cache or the precompiled file,
 * synchronously; undefined when neither is there (then `loadTemplate`).
 */
export function cachedTemplate(name: string): Skeleton | undefined {
  let skeleton = cache.get(name);
  if (!skeleton) {
    const html = readPrecompiled(name);
    if (html === undefined) return undefined;
    skeleton = parseSkeleton(html);
    cache.set(name, skeleton);
  }
  return skeleton;
}

/**
 * The parsed skeleton of `name`: cached, else the precompiled file, else
 * compiled from `templates/<name>.mjml` now (once per process).
 */
export async function loadTemplate(name: string): Promise<Skeleton> {
  const ready = cachedTemplate(name);
  if (ready) return ready;
  const { html } = await compileTemplateFile(name);
  const skeleton = parseSkeleton(html);
  cache.set(name, skeleton);
  return skeleton;
}

/** Installs a compiled skeleton directly (a bundle that inlines the HTML, or a test). */
export function registerTemplate(name: string, html: string): Skeleton {
  const skeleton = parseSkeleton(html.replace(HEADER, ''));
  cache.set(name, skeleton);
  return skeleton;
}

/** Forgets compiled skeletons (tests, benchmarks). */
export function clearTemplateCache(): void {
  cache.clear();
}
