import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openApiDocument } from '#lib/reports/openapi.ts';
import { OPENAPI_FILE, servedOpenApiDocument } from '#lib/reports/openapi-served.ts';

const URL_ = 'https://api.example.vn';

describe('servedOpenApiDocument', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('from source (no shipped file) generates the document: the same as openApiDocument, key order included', async () => {
    expect(JSON.stringify(await servedOpenApiDocument(URL_))).toBe(JSON.stringify(openApiDocument(URL_)));
    expect(JSON.stringify(await servedOpenApiDocument())).toBe(JSON.stringify(openApiDocument()));
  });

  it('in a bundle, serves the file scripts/bundle-function.ts wrote beside it, with the servers of this deployment', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-openapi-'));
    // what scripts/build-openapi.ts writes
    writeFileSync(path.join(dir, OPENAPI_FILE), JSON.stringify(openApiDocument()));
    expect(JSON.stringify(await servedOpenApiDocument(URL_, dir))).toBe(JSON.stringify(openApiDocument(URL_)));
  });

  it('reads the shipped file rather than generating the document', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-openapi-'));
    writeFileSync(path.join(dir, OPENAPI_FILE), JSON.stringify({ openapi: '3.1.0', info: { title: 'shipped' }, paths: {} }));
    expect(await servedOpenApiDocument(URL_, dir)).toEqual({ openapi: '3.1.0', info: { title: 'shipped' }, servers: [{ url: URL_ }], paths: {} });
  });
});
