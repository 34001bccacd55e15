import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { esbuildOptions, PROJECT_ROOT } from '#infra/bundling.ts';
import { literalTraitKeys } from '#infra/sdk-tree-shaking.ts';

describe('literalTraitKeys', () => {
  it('turns computed keys naming a top-level string constant into literal keys, and nothing else', () => {
    const source = [
      'const _h = "http";',
      'const _e = "error";',
      'let _x = "not a const";',
      'export var A$ = [9, n0, _A, { [_h]: ["POST", "/v2/a", 200] }, () => B$];',
      'export var E$ = [-3, n0, _E, { [_e]: _c, [_h]: 400 }, [], []];',
      'export var K = { [_x]: 1, [_unknown]: 2, [_h]: _h };',
    ].join('\n');
    expect(literalTraitKeys(source)).toBe(
      [
        'const _h = "http";',
        'const _e = "error";',
        'let _x = "not a const";',
        'export var A$ = [9, n0, _A, { "http": ["POST", "/v2/a", 200] }, () => B$];',
        'export var E$ = [-3, n0, _E, { "error": _c, "http": 400 }, [], []];',
        'export var K = { [_x]: 1, [_unknown]: 2, "http": _h };',
      ].join('\n'),
    );
  });
});

/**
 * Every SDK client a function uses, bundled with the stack's options (which
 * include the plugin), must send the very request the SDK sends unbundled,
 * and read the answer the same way; and the schemas of operations we never
 * call must be gone. A local HTTP server stands in for the AWS endpoints and
 * records what arrives.
 */
describe('bundling: SDK clients shaken by infra/sdk-tree-shaking.ts', () => {
  type Seen = { method: string; url: string; target?: string; contentType?: string; body: string };
  let server: Server;
  let endpoint: string;
  let seen: Seen[] = [];
  let dir: string;

  /** Answers as each service would, enough for the client to parse a success. */
  const answer = (req: Seen): string => {
    if (req.url === '/v2/email/outbound-emails') return JSON.stringify({ MessageId: 'ses-1' });
    if (req.target === 'DynamoDB_20120810.PutItem') return JSON.stringify({ ConsumedCapacity: { TableName: 't', CapacityUnits: 1 } });
    if (req.target === 'AmazonSQS.SendMessage') {
      const { MessageBody } = JSON.parse(req.body) as { MessageBody: string };
      return JSON.stringify({ MessageId: 'sqs-1', MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex') });
    }
    if (req.target === 'secretsmanager.GetSecretValue') return JSON.stringify({ Name: 'chatpulse/test/links', SecretString: '{"REPORT_LINK_KEY":"k"}' });
    return '{}';
  };

  /** The calls, written once and run twice: unbundled in this process and bundled in a child. */
  const CALLS = `
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
export async function calls(endpoint) {
  const cfg = { endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 };
  const out = [];
  const ses = await new SESv2Client(cfg).send(new SendEmailCommand({
    FromEmailAddress: 'digests@example.com', Destination: { ToAddresses: ['chu.shop@example.vn'] },
    Content: { Simple: { Subject: { Data: 'Báo cáo ngày 01/12', Charset: 'UTF-8' }, Body: { Text: { Data: 'Doanh thu 1.250.000 ₫' } },
      Headers: [{ Name: 'List-Unsubscribe', Value: '<https://x.example/u?t=1>' }] } },
  }));
  out.push(ses.MessageId);
  const ddb = await new DynamoDBClient(cfg).send(new PutItemCommand({ TableName: 't', Item: { PK: { S: 'SHOP#s1' }, SK: { S: 'DAY#2026-12-01' }, n: { N: '9007199254740993' } },
    ConditionExpression: 'attribute_not_exists(PK)', ReturnConsumedCapacity: 'TOTAL' }));
  out.push(ddb.ConsumedCapacity.CapacityUnits);
  const sqs = await new SQSClient(cfg).send(new SendMessageCommand({ QueueUrl: endpoint + '/123456789012/ingest', MessageBody: '{"events":[{"id":"m-1"}]}' }));
  out.push(sqs.MessageId);
  const sm = await new SecretsManagerClient(cfg).send(new GetSecretValueCommand({ SecretId: 'chatpulse/test/links' }));
  out.push(sm.SecretString);
  return out;
}`;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const s: Seen = { method: req.method!, url: req.url!, target: req.headers['x-amz-target'] as string | undefined, contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString() };
        seen.push(s);
        res.writeHead(200, { 'content-type': 'application/json' }).end(answer(s));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(path.join(tmpdir(), 'chatpulse-sdk-shaking-'));
    writeFileSync(path.join(dir, 'calls.mjs'), CALLS);
    writeFileSync(path.join(dir, 'entry.mjs'), `import { calls } from './calls.mjs';\nprocess.stdout.write(JSON.stringify(await calls(process.env.ENDPOINT)));`);
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const bundle = async (name: string, plugins: boolean) => {
    const outfile = path.join(dir, `${name}.mjs`);
    const options = esbuildOptions(path.join(dir, 'entry.mjs'), outfile);
    const { metafile } = await build({ ...options, ...(plugins ? {} : { plugins: [] }), absWorkingDir: PROJECT_ROOT, nodePaths: [path.join(PROJECT_ROOT, 'node_modules')], logLevel: 'silent', metafile: true });
    return { outfile, bytes: metafile.outputs[path.relative(PROJECT_ROOT, outfile)]!.bytes, inputs: metafile.outputs[path.relative(PROJECT_ROOT, outfile)]!.inputs };
  };

  it('sends the same requests and reads the same answers as the SDK unbundled', { timeout: 60_000 }, async () => {
    seen = [];
    const { calls } = (await import(/* @vite-ignore */ path.join(dir, 'calls.mjs'))) as { calls: (e: string) => Promise<unknown[]> };
    const direct = await calls(endpoint);
    const unbundledRequests = seen;

    const shaken = await bundle('shaken', true);
    seen = [];
    const { stdout } = await promisify(execFile)(process.execPath, [shaken.outfile], { env: { PATH: process.env.PATH, HOME: dir, ENDPOINT: endpoint } });
    expect(JSON.parse(stdout)).toEqual(direct);
    expect(direct).toEqual(['ses-1', 1, 'sqs-1', '{"REPORT_LINK_KEY":"k"}']);
    expect(seen).toEqual(unbundledRequests);
    // and what was sent is what each API expects (read off the services' documented requests)
    expect(seen.map((s) => [s.method, s.url, s.target ?? null])).toEqual([
      ['POST', '/v2/email/outbound-emails', null],
      ['POST', '/', 'DynamoDB_20120810.PutItem'],
      ['POST', '/', 'AmazonSQS.SendMessage'],
      ['POST', '/', 'secretsmanager.GetSecretValue'],
    ]);
    const ses = JSON.parse(seen[0]!.body) as { Content: { Simple: { Subject: { Data: string }; Headers: unknown[] } } };
    expect(ses.Content.Simple.Subject.Data).toBe('Báo cáo ngày 01/12');
    expect(ses.Content.Simple.Headers).toEqual([{ Name: 'List-Unsubscribe', Value: '<https://x.example/u?t=1>' }]);
    expect(JSON.parse(seen[1]!.body)).toMatchObject({ Item: { n: { N: '9007199254740993' } }, ConditionExpression: 'attribute_not_exists(PK)' });
  });

  it('an operation that would stream events fails with a message naming the plugin', { timeout: 60_000 }, async () => {
    writeFileSync(
      path.join(dir, 'streams.mjs'),
      `const { EventStreamSerde } = await import('@smithy/core/event-streams');\ntry { new EventStreamSerde({}); } catch (e) { process.stdout.write(e.message); }`,
    );
    const outfile = path.join(dir, 'streams-bundle.mjs');
    await build({ ...esbuildOptions(path.join(dir, 'streams.mjs'), outfile), absWorkingDir: PROJECT_ROOT, nodePaths: [path.join(PROJECT_ROOT, 'node_modules')], logLevel: 'silent' });
    const { stdout } = await promisify(execFile)(process.execPath, [outfile], { env: { PATH: process.env.PATH } });
    expect(stdout).toBe('event streams are not bundled (infra/sdk-tree-shaking.ts): an SDK operation that streams events needs them');
  });

  it('leaves out the schemas of operations never called, and the clients\' manifests', { timeout: 60_000 }, async () => {
    const shaken = await bundle('shaken-size', true);
    const plain = await bundle('plain-size', false);
    const code = readFileSync(shaken.outfile, 'utf8');
    const plainCode = readFileSync(plain.outfile, 'utf8');
    // SES v2 operations we never send, and their paths
    for (const gone of ['BatchGetMetricData', '/v2/email/metrics/batch', 'PutAccountDedicatedIpWarmupAttributes']) {
      expect(plainCode.includes(gone), `without the plugin: ${gone}`).toBe(true);
      expect(code.includes(gone), `with the plugin: ${gone}`).toBe(false);
    }
    expect(code).toContain('/v2/email/outbound-emails');
    // no event-stream codec (its header names are strings the minifier keeps)
    expect(plainCode).toContain(':event-type');
    expect(code).not.toContain(':event-type');
    // the manifests keep their version only
    expect(plainCode).toContain('Sesv2 Client for Node.js');
    expect(code).not.toContain('Sesv2 Client for Node.js');
    const ses = (inputs: typeof shaken.inputs) => Object.entries(inputs).filter(([p]) => p.includes('client-sesv2/dist-es/schemas/')).reduce((n, [, i]) => n + i.bytesInOutput, 0);
    expect(ses(shaken.inputs)).toBeLessThan(ses(plain.inputs) / 4);
    expect(shaken.bytes).toBeLessThan(plain.bytes);
  });
});
