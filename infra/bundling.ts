import type { BuildOptions } from 'esbuild';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { Charset, OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * The one description of how a function is bundled, read by the stack
 * (`ChatpulseFunction`) and by `bench/bundle-sizes.ts`, so the benchmark
 * measures exactly what is deployed.
 */

/** Lambda runtime of every function; the esbuild target follows it. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
export const ESBUILD_TARGET = `node${/^nodejs(\d+)/.exec(LAMBDA_RUNTIME.name)![1]}`;

/** ESM output cannot `require`; some CommonJS dependencies do, so give them one. */
export const ESBUILD_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Modules left out of the bundle. Not @aws-sdk: NodejsFunction would by
 * default take the SDK from the Lambda runtime, whose version drifts with
 * AWS's patching; bundling it runs the exact version pinned in
 * package-lock.json (the one the tests ran) and lets esbuild keep only the
 * clients a function imports. mjml stays out because a deployed function
 * never loads it: lib/email/compile.ts imports it lazily and only when no
 * precompiled template ships beside the bundle, and the hook below always
 * ships them. `#tracer` (Powertools Tracer and the X-Ray SDK, ~125 KB) is
 * bundled on its own beside each function by the hook below and imported
 * only when tracing is on (lib/aws/tracing.ts).
 */
export const EXTERNAL_MODULES = ['mjml', '#tracer'];

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
export const CHARSET = Charset.UTF8;
export const LEGAL_COMMENTS = 'none';

/**
 * After esbuild: compile the MJML templates once and ship the compiled HTML
 * beside the bundle (`<bundle>/templates/compiled/*.html`), where
 * lib/email/compile.ts looks first; write the OpenAPI document beside it
 * (`<bundle>/openapi.json`), which lib/reports/openapi-served.ts serves, so
 * no bundle carries zod's JSON Schema generator; and bundle the Tracer beside
 * it (`tracer.mjs` + the `package.json` that maps `#tracer` to it).
 */
export const commandHooks = {
  beforeBundling: (): string[] => [],
  beforeInstall: (): string[] => [],
  afterBundling: (inputDir: string, outputDir: string): string[] => [
    `cd "${inputDir}" && node_modules/.bin/tsx scripts/compile-templates.ts`,
    `mkdir -p "${outputDir}/templates/compiled" && cp "${inputDir}"/templates/compiled/*.html "${outputDir}/templates/compiled/"`,
    `cd "${inputDir}" && node_modules/.bin/tsx scripts/build-openapi.ts "${outputDir}/openapi.json"`,
    `cd "${inputDir}" && node_modules/.bin/tsx scripts/bundle-tracer.ts "${outputDir}"`,
  ],
};

/**
 * NodejsFunction's `bundling`: local esbuild (no Docker), ESM, minified,
 * UTF-8, with a source map beside the bundle (mappings only, without the
 * sources' text: a third of the size; the code is in the repository at the
 * deployed commit).
 */
export const bundling: BundlingOptions = {
  commandHooks,
  format: OutputFormat.ESM,
  target: ESBUILD_TARGET,
  minify: true,
  charset: CHARSET,
  sourceMap: true,
  sourceMapMode: SourceMapMode.DEFAULT,
  sourcesContent: false,
  banner: ESBUILD_BANNER,
  mainFields: MAIN_FIELDS,
  externalModules: EXTERNAL_MODULES,
  esbuildArgs: { '--alias': Object.entries(ALIASES).map(([from, to]) => `${from}=${to}`), '--legal-comments': LEGAL_COMMENTS },
  forceDockerBundling: false,
};

/**
 * The same options for esbuild's JS API: what NodejsFunction passes to the
 * esbuild CLI (`--bundle --platform=node --target --format=esm --minify
 * --charset=utf8 --sourcemap --sources-content=false --external:…
 * --banner:js=… --main-fields=… --alias:… --legal-comments=none`).
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
  };
}
