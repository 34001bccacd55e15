import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { esbuildOptions, PROJECT_ROOT } from '#infra/bundling.ts';
import { STREAM_WEB_STAND_IN } from '#infra/unused-builtins.ts';

describe('infra/unused-builtins.ts stand-ins behave as the built-ins do for their importer', () => {
  it("middy's `instanceof ReadableStream` gives the answers of the real class", async () => {
    const { ReadableStream: StandIn } = (await import(`data:text/javascript,${encodeURIComponent(STREAM_WEB_STAND_IN)}`)) as { ReadableStream: new () => unknown };
    const { ReadableStream: Real } = await import('node:stream/web');
    expect(new Real() instanceof StandIn).toBe(true);
    expect(new Blob(['x']).stream() instanceof StandIn).toBe(true);
    for (const other of [{}, 'body', Buffer.from('x'), null]) expect(other instanceof StandIn).toBe(false);
  });

  it("the SDK's CRC32 in a bundle, without zlib, gives zlib's checksum", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-builtins-'));
    try {
      writeFileSync(
        path.join(dir, 'entry.mjs'),
        `import { Crc32 } from '@smithy/core/checksum';\nconst c = new Crc32(); c.update(new TextEncoder().encode('Đơn hàng #1001 — chatpulse')); process.stdout.write(String(c.digestSync()));`,
      );
      const outfile = path.join(dir, 'bundle.mjs');
      const { metafile } = await build({ ...esbuildOptions(path.join(dir, 'entry.mjs'), outfile), absWorkingDir: PROJECT_ROOT, nodePaths: [path.join(PROJECT_ROOT, 'node_modules')], logLevel: 'silent', metafile: true });
      const external = Object.values(metafile.inputs).flatMap((i) => i.imports).filter((i) => i.external).map((i) => i.path);
      expect(external).not.toContain('node:zlib');
      const out = execFileSync(process.execPath, [outfile], { env: { PATH: process.env.PATH } }).toString();
      expect(Number(out)).toBe(crc32('Đơn hàng #1001 — chatpulse'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
