import type { BuildOptions } from 'esbuild';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sdkTreeShaking } from './sdk-tree-shaking.ts';
import { unusedBuiltins } from './unused-builtins.ts';

/**
 * The one description of how a function is bundled, used by
 * scripts/bundle-function.ts, which the stack (`ChatpulseFunction`) runs for
 * every function and `bench/bundle-sizes.ts` measures, so the benchmark
 * measures exactly what is deployed. esbuild runs through its JS API, not
 * NodejsFunction's CLI call, because the CLI cannot run plugins and the
 * bundles need one (infra/sdk-tree-shaking.ts).
 */

/** The repository root: entries, package-lock.json and the `#lib/*` imports are resolved from here. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Path of a function's handler, `functions/<name>/handler.ts`. */
export const handlerEntry = (name: string): string => path.join(PROJECT_ROOT, 'functions', name, 'handler.ts');

/** Lambda runtime of every function; the esbuild target follows it. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
export const ESBUILD_TARGET = `node${/^nodejs(\d+)/.exec(LAMBDA_RUNTIME.name)![1]}`;

/** ESM output cannot `require`; some CommonJS dependencies do, so give them one. */
export const ESBUILD_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Modules left out of the bundle. Not @aws-sdk: the Lambda runtime has one,
 * but its version drifts with AWS's patching; bundling it runs the exact version pinned in
 * package-lock.json (the one the tests ran) and lets esbuild keep only the
 * clients a function imports. mjml stays out because a deployed function
 * never loads it: lib/email/compile.ts imports it lazily and only when no
 * precompiled template ships beside the bundle, and
 * scripts/bundle-function.ts always ships them. `#tracer` (Powertools Tracer
 * and the X-Ray SDK, ~125 KB) is bundled on its own beside each function by
 * scripts/bundle-function.ts and imported only when tracing is on
 * (lib/aws/tracing.ts). `#xlsx-writer` (write-excel-file, ~79 KB) likewise,
 * beside the functions that import it, loaded only for `format=xlsx`
 * (lib/reports/xlsx-writer.ts).
 */
export const EXTERNAL_MODULES = ['mjml', '#tracer', '#xlsx-writer'];

/**
 * Modules replaced in the bundle: the SDK's default credential chain by the
 * environment provider, the only link a Lambda function uses (see
 * lib/aws/lambda-credentials.ts); saves ~90 KB per function. Paths are
 * relative to the project root, where esbuild runs.
 */
export const ALIASES: Record<string, string> = {
  '@aws-sdk/credential-provider-node': './lib/aws/lambda-credentials.ts',
};

/** Resolution of the package.json `imports` (`#lib/*`) needs no option: esbuild reads them natively. */
export const MAIN_FIELDS = ['module', 'main'];

/**
 * Output as UTF-8 rather than ASCII with `\uXXXX` escapes (the Vietnamese
 * strings of the reports and emails: ~3 KB less for report and digest-send;
 * Node reads a module as UTF-8), and no legal comments (a deployed bundle is
 * not redistributed; ~0.5 KB a bundle).
 */
export const CHARSET = 'utf8' as const;
export const LEGAL_COMMENTS = 'none' as const;

/**
 * esbuild's options for one function: one ESM file, minified, UTF-8, with a
 * source map beside it (mappings only, without the sources' text: a third
 * of the size; the code is in the repository at the deployed commit), the
 * AWS SDK inside and shaken by infra/sdk-tree-shaking.ts, and without the
 * two built-ins infra/unused-builtins.ts spares a cold start.
 */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format: 'esm',
    minify: true,
    charset: CHARSET,
    legalComments: LEGAL_COMMENTS,
    sourcemap: true,
    sourcesContent: false,
    banner: { js: ESBUILD_BANNER },
    mainFields: MAIN_FIELDS,
    external: EXTERNAL_MODULES,
    alias: ALIASES,
    plugins: [sdkTreeShaking, unusedBuiltins],
  };
}
