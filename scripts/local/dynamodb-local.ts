import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import path from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { tableDefinition, TABLE } from '#lib/store/table.ts';

/**
 * Starts Amazon's DynamoDB Local (1.25, shipped as a jar inside the npm
 * package amplify-dynamodb-simulator) with Java from the machine. It
 * implements every API the code calls, transactions of 100 items included.
 *
 * DynamoDB Local itself has no option for its listen address (it binds every
 * interface) and accepts any Host and any credentials. It is therefore
 * started through LoopbackDynamoDBLocal.java, which builds the same server
 * and binds it to 127.0.0.1 only, answering 421 to a Host other than
 * 127.0.0.1 / localhost / [::1] (DNS rebinding). The launcher is compiled
 * once with the JDK's javac into node_modules/.cache (keyed by its source).
 */
export type LocalDynamo = { endpoint: string; port: number; stop: () => Promise<void>; process: ChildProcess };

const require = createRequire(import.meta.url);

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function jarDir(): string {
  const pkg = require.resolve('amplify-dynamodb-simulator/package.json');
  return path.join(path.dirname(pkg), 'emulator');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const LAUNCHER = fileURLToPath(new URL('./LoopbackDynamoDBLocal.java', import.meta.url));

/**
 * Compiles the loopback launcher once (a later start reuses the class) and
 * returns the folder holding it. Needs a JDK (javac), as Java's source mode would.
 */
export function compileLauncher(classpath: string): string {
  const source = readFileSync(LAUNCHER);
  const hash = createHash('sha256').update(source).update(classpath).digest('hex').slice(0, 16);
  const out = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'chatpulse', `dynamodb-launcher-${hash}`);
  if (existsSync(path.join(out, 'LoopbackDynamoDBLocal.class'))) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  mkdirSync(tmp, { recursive: true });
  const res = spawnSync('javac', ['-nowarn', '-d', tmp, '-cp', classpath, LAUNCHER], { encoding: 'utf8' });
  if (res.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(
      `Could not compile ${LAUNCHER}, which keeps DynamoDB Local on 127.0.0.1 (DynamoDB Local alone listens on every interface). ` +
        `Install a JDK 17+ (javac), e.g. apt-get install openjdk-17-jdk-headless.\n${res.error?.message ?? res.stderr}`,
    );
  }
  try {
    renameSync(tmp, out);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process compiled it first
  }
  return out;
}

export async function startDynamoLocal(opts: { port?: number; dataDir?: string } = {}): Promise<LocalDynamo> {
  const port = opts.port ?? (await freePort());
  const dir = jarDir();
  const classpath = [path.join(dir, 'DynamoDBLocal.jar'), path.join(dir, 'DynamoDBLocal_lib', '*')].join(path.delimiter);
  const launcherDir = compileLauncher(classpath);
  const args = [
    '-Xmx512m',
    `-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`,
    '-cp',
    [launcherDir, classpath].join(path.delimiter),
    'LoopbackDynamoDBLocal',
    '-port',
    String(port),
    '-disableTelemetry',
    '-sharedDb',
    // CORS only for its own origin (the default is '*', which lets any web page in a local browser read the table)
    '-cors',
    `http://127.0.0.1:${port}`,
  ];
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    args.push('-dbPath', path.resolve(opts.dataDir));
  } else {
    args.push('-inMemory');
  }
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.once('error', (err) => {
    output += `\n${err.message}`;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const deadline = Date.now() + 90_000; // a loaded 2-core machine can take a minute to start the JVM
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (is Java 17+ installed?):\n${output}`);
    try {
      await client.send(new DescribeTableCommand({ TableName: 'probe-not-there' }));
      break;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') break;
      if (Date.now() > deadline) {
        child.kill('SIGKILL'); // never leave a half-started server behind
        client.destroy();
        throw new Error(`DynamoDB Local did not answer on ${endpoint}:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    endpoint,
    port,
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Creates the table (same definition as CDK) when missing, with TTL on. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // a data folder from before an index was added (the open-waits index): create it, as a CDK deployment would
    const def = tableDefinition(tableName);
    const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
    for (const gsi of def.GlobalSecondaryIndexes.filter((g) => !present.has(g.IndexName))) {
      const names: Set<string> = new Set(gsi.KeySchema.map((k): string => k.AttributeName));
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: def.AttributeDefinitions.filter((a) => names.has(a.AttributeName)),
          GlobalSecondaryIndexUpdates: [{ Create: { IndexName: gsi.IndexName, KeySchema: gsi.KeySchema, Projection: gsi.Projection } }],
        }),
      );
    }
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      }),
    );
  } finally {
    client.destroy();
  }
}
