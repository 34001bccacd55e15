import type { Plugin } from 'esbuild';

/**
 * An esbuild plugin that spares a cold start two Node built-ins our code
 * never uses but two libraries import at their top level. Node loads a
 * built-in when it is imported, whether or not it is used: measured here on
 * top of the built-ins a bundle loads anyway, `node:stream/web` costs ~5.5 ms
 * and `node:zlib` ~1.2 ms of every function's start (bench/RESULTS.md,
 * "Lambda bundles"). Each is replaced for one importer only, by a module that
 * behaves the same for what that importer does with it:
 *
 * - `@middy/core` imports `ReadableStream` from `node:stream/web` only to ask
 *   `instanceof ReadableStream` of a streamed response (we stream none). The
 *   stand-in answers that question with the global `ReadableStream`, the same
 *   class, looked up only when asked.
 * - The SDK's `Crc32Node` (`@smithy/core` checksum, exported beside the
 *   SHA-256 the clients use; no operation of ours asks for CRC32) reads
 *   `zlib.crc32` when its module loads and falls back to its own JavaScript
 *   CRC32 when there is none. The stand-in has none.
 *
 * Any other importer of these built-ins (ours: lib/store/raw.ts compresses raw
 * events with zlib) gets the real module.
 */
export const unusedBuiltins: Plugin = {
  name: 'unused-builtins',
  setup(build) {
    build.onResolve({ filter: /^node:stream\/web$/ }, ({ importer }) =>
      /[\\/]@middy[\\/]core[\\/]/.test(importer) ? { path: 'stream-web', namespace: 'unused-builtins' } : undefined,
    );
    build.onResolve({ filter: /^node:zlib$/ }, ({ importer }) =>
      /[\\/]@smithy[\\/]core[\\/].*[\\/]crc32[\\/]Crc32Node\.js$/.test(importer) ? { path: 'zlib', namespace: 'unused-builtins' } : undefined,
    );
    build.onLoad({ filter: /^stream-web$/, namespace: 'unused-builtins' }, () => ({ contents: STREAM_WEB_STAND_IN, loader: 'js' }));
    build.onLoad({ filter: /^zlib$/, namespace: 'unused-builtins' }, () => ({ contents: ZLIB_STAND_IN, loader: 'js' }));
  },
};

/** `x instanceof ReadableStream` answered by the global class, resolved when asked. */
export const STREAM_WEB_STAND_IN = `export class ReadableStream { static [Symbol.hasInstance](value) { return value instanceof globalThis.ReadableStream; } }
`;

/** No native CRC32: the SDK uses its JavaScript one. */
export const ZLIB_STAND_IN = `export const crc32 = undefined;
`;
