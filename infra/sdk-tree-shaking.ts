import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/**
 * An esbuild plugin that lets esbuild drop what an AWS SDK v3 client carries
 * for operations a function never calls. Two rewrites, both on the text of
 * the SDK's own files as they are loaded, neither changing what runs:
 *
 * - **Schema traits with literal keys.** Since 3.930 each client describes
 *   every operation in `dist-es/schemas/schemas_0.js`, whose trait objects
 *   use computed keys (`{ [_h]: ["POST", "/v2/email/outbound-emails", 200] }`
 *   with `const _h = "http"` above). A computed key may run code, so esbuild
 *   keeps every statement holding one, and with it every operation and
 *   structure they reach: SES v2's 480 schemas (47 KB) ride along with the
 *   one command we send (aws/aws-sdk-js-v3#7607; the generator fix,
 *   smithy-lang/smithy-typescript#1889, is not released). Replacing
 *   `[_h]` by the string it names (`"http"`) gives esbuild a plain key.
 *   Only names bound to a string literal at the top of the file are
 *   replaced; anything else is left as it was.
 * - **A client's package.json reduced to its version**, the one field the
 *   client reads (`packageInfo.version`, for the user agent); a default JSON
 *   import otherwise bundles the whole manifest (~2 KB per client).
 * - **No event-stream codec.** The SDK's HTTP protocol imports
 *   `@smithy/core/event-streams` (with its codec, ~20 KB) lazily, only for
 *   operations that stream events (Bedrock, Transcribe, S3 Select…). None of
 *   the operations we call does (DynamoDB, SES v2, SQS, Secrets Manager), so
 *   the import resolves to a module that throws, naming this plugin, if it
 *   is ever reached.
 */
export const sdkTreeShaking: Plugin = {
  name: 'sdk-tree-shaking',
  setup(build) {
    build.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, () => ({ path: 'event-streams', namespace: 'sdk-tree-shaking' }));
    build.onLoad({ filter: /.*/, namespace: 'sdk-tree-shaking' }, () => ({ contents: EVENT_STREAMS_STUB, loader: 'js' }));
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, async ({ path }) => ({
      contents: literalTraitKeys(await readFile(path, 'utf8')),
      loader: 'js',
    }));
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/ }, async ({ path }) => ({
      contents: JSON.stringify({ version: (JSON.parse(await readFile(path, 'utf8')) as { version: string }).version }),
      loader: 'json',
    }));
  },
};

/** What `import('@smithy/core/event-streams')` gives a bundle instead of the codec. */
export const EVENT_STREAMS_STUB = `const fail = () => { throw new Error('event streams are not bundled (infra/sdk-tree-shaking.ts): an SDK operation that streams events needs them'); };
export const eventStreamSerdeProvider = fail;
export class EventStreamSerde { constructor() { fail(); } }
`;

/**
 * Rewrites computed object keys `[_x]:` whose name is bound at the top of the
 * module by `const _x = "…";` into the literal key `"…":`. Keys naming
 * anything else, and every other use of the names, are left untouched.
 */
export function literalTraitKeys(source: string): string {
  const strings = new Map<string, string>();
  for (const m of source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) strings.set(m[1]!, m[2]!);
  return source.replace(/([{,]\s*)\[(_\w+)\]:/g, (all, before: string, name: string) => {
    const literal = strings.get(name);
    return literal === undefined ? all : `${before}${literal}:`;
  });
}
