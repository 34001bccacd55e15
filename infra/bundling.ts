import { OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * esbuild options of every function, shared by the stack and by
 * `bench/bundles.ts`. The AWS SDK is bundled (not taken from the runtime) so
 * the exact pinned version runs and tree-shaking keeps it small; mjml is
 * never loaded at run time (templates are precompiled), so it stays out.
 */
export const ESBUILD_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";
export const EXTERNAL_MODULES = ['mjml'];

/**
 * After esbuild: compile the MJML templates once and ship the compiled HTML
 * beside the bundle (`<bundle>/templates/compiled/*.html`), where
 * lib/email/compile.ts looks first; the Lambda never compiles MJML.
 */
export const commandHooks = {
  beforeBundling: (): string[] => [],
  beforeInstall: (): string[] => [],
  afterBundling: (inputDir: string, outputDir: string): string[] => [
    `cd "${inputDir}" && node_modules/.bin/tsx scripts/compile-templates.ts`,
    `mkdir -p "${outputDir}/templates/compiled" && cp "${inputDir}"/templates/compiled/*.html "${outputDir}/templates/compiled/"`,
  ],
};

export const bundling: BundlingOptions = {
  commandHooks,
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  sourceMapMode: SourceMapMode.DEFAULT,
  banner: ESBUILD_BANNER,
  mainFields: ['module', 'main'],
  externalModules: EXTERNAL_MODULES,
  forceDockerBundling: false,
};
