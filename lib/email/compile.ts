import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMPILED_DIGEST } from '#lib/email/compiled-digest.ts';

/**
 * The digest template, compiled from MJML once. Builds ship the precompiled
 * skeleton (`lib/email/compiled-digest.ts`, written by
 * `npm run build:templates`), so the Lambda bundle never loads mjml; a test
 * checks it matches a fresh compile of `templates/digest.mjml`.
 */
export const TEMPLATE_PATH = fileURLToPath(new URL('../../templates/digest.mjml', import.meta.url));

/** Compiles the MJML source; throws on any MJML error. */
export async function compileDigestTemplate(source = readFileSync(TEMPLATE_PATH, 'utf8')): Promise<string> {
  const { default: mjml2html } = await import('mjml');
  const out = await mjml2html(source, { validationLevel: 'strict', keepComments: false });
  if (out.errors.length > 0) throw new Error(`MJML errors: ${out.errors.map((e) => e.formattedMessage).join('; ')}`);
  return out.html;
}

/** The compiled skeleton with `{{slot}}` placeholders. */
export function digestSkeleton(): string {
  return COMPILED_DIGEST;
}
