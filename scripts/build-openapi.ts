/**
 * Build step run by scripts/bundle-function.ts: writes the OpenAPI
 * document, generated from the zod schemas by lib/reports/openapi.ts, to the
 * given file (`<bundle>/openapi.json`), where lib/reports/openapi-served.ts
 * reads it. The report bundle then carries neither the generator nor zod's
 * JSON Schema code.
 *
 *   tsx scripts/build-openapi.ts <out.json>
 */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '#lib/reports/openapi.ts';

const out = process.argv[2];
if (!out) {
  console.error('usage: tsx scripts/build-openapi.ts <out.json>');
  process.exit(2);
}
writeFileSync(out, JSON.stringify(openApiDocument()));
