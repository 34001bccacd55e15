import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * `GET /v1/openapi.json` as the report function serves it. The document is
 * generated from the zod schemas by lib/reports/openapi.ts, whose
 * `z.toJSONSchema` and the admin schemas it describes would add ~38 KB to
 * the report bundle. So it is generated when the function is bundled, like
 * the MJML templates: scripts/bundle-function.ts runs
 * `scripts/build-openapi.ts`, which writes `openapi.json` beside the bundle,
 * and a deployed function only reads that file. Run from source (tsx,
 * vitest, npm start) there is no such file, and the first request generates
 * the document by importing the generator through a path esbuild does not
 * follow, so the bundle never contains it.
 */

/** The file scripts/bundle-function.ts writes beside the bundle (`<bundle>/openapi.json`). */
export const OPENAPI_FILE = 'openapi.json';

const HERE = path.dirname(fileURLToPath(import.meta.url));

type Document = { openapi: string; info: unknown; servers?: Array<{ url: string }>; [k: string]: unknown };

const loaded = new Map<string, Document>();

/** The document without `servers`: the shipped file in `dir`, else generated now (from source only). */
async function baseDocument(dir: string): Promise<Document> {
  let doc = loaded.get(dir);
  if (doc) return doc;
  const file = path.join(dir, OPENAPI_FILE);
  if (existsSync(file)) {
    doc = JSON.parse(readFileSync(file, 'utf8')) as Document;
  } else {
    // not a literal: esbuild leaves this import alone, so the generator stays out of the bundle
    const generator = './openapi.ts';
    try {
      const { openApiDocument } = (await import(generator)) as typeof import('#lib/reports/openapi.ts');
      doc = openApiDocument() as Document;
    } catch (err) {
      throw new Error(`${OPENAPI_FILE} is missing beside ${HERE} and the generator could not be loaded (scripts/bundle-function.ts writes it)`, { cause: err });
    }
  }
  loaded.set(dir, doc);
  return doc;
}

/**
 * The OpenAPI document with `servers` naming `serverUrl`, identical to
 * `openApiDocument(serverUrl)` (key order too). Read once per process.
 *
 * @param dir where `openapi.json` is looked for: beside the running module (the bundle)
 */
export async function servedOpenApiDocument(serverUrl?: string, dir = HERE): Promise<Document> {
  const { openapi, info, ...rest } = await baseDocument(dir);
  return { openapi, info, ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}), ...rest };
}
