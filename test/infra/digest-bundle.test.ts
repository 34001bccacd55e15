import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { esbuildOptions } from '#infra/bundling.ts';
import { PROJECT_ROOT, handlerEntry } from '#infra/constructs/chatpulse-function.ts';

/** The modules of a function's bundle that put bytes in it, bundled as deployed. */
async function bundledModules(fn: string): Promise<string[]> {
  const outfile = path.join(tmpdir(), `chatpulse-modules-${fn}.mjs`);
  const { metafile } = await build({ ...esbuildOptions(handlerEntry(fn), outfile), absWorkingDir: PROJECT_ROOT, logLevel: 'silent', write: false, metafile: true });
  return Object.values(metafile.outputs).flatMap((o) => Object.entries(o.inputs)).filter(([, i]) => i.bytesInOutput > 0).map(([p]) => p);
}

/**
 * digest-send mails links signed by the dispatcher and renders no report
 * page: its bundle carries no report-serving code, no link signer and no
 * Secrets Manager client. The functions that do keep them.
 */
describe('bundling: what digest-send leaves out', () => {
  const serving = ['lib/reports/serve.ts', 'lib/reports/html.ts', 'lib/reports/csv.ts', 'lib/reports/metrics.ts', 'lib/reports/open-link.ts'];
  const signing = ['lib/reports/link-signing.ts', 'lib/digests/unsubscribe.ts'];
  const secrets = (modules: string[]) => modules.filter((p) => p === 'lib/secrets.ts' || p.includes('node_modules/@aws-sdk/client-secrets-manager/') || p.includes('node_modules/@aws-lambda-powertools/parameters/'));

  it('digest-send: no report serving, no signer, no secrets', { timeout: 60_000 }, async () => {
    const modules = await bundledModules('digest-send');
    expect(modules).toContain('lib/digests/send.ts');
    expect(modules.filter((p) => serving.includes(p) || signing.includes(p))).toEqual([]);
    expect(secrets(modules)).toEqual([]);
  });

  it('digest-dispatch signs (and reads its secrets) without the report renderers; report keeps serving', { timeout: 60_000 }, async () => {
    const dispatch = await bundledModules('digest-dispatch');
    expect(dispatch).toEqual(expect.arrayContaining(signing));
    expect(secrets(dispatch)).toContain('lib/secrets.ts');
    expect(dispatch.filter((p) => serving.includes(p))).toEqual([]);
    const report = await bundledModules('report');
    expect(report).toEqual(expect.arrayContaining([...serving, 'lib/reports/link-signing.ts']));
  });
});
