import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createTestTable } from '#test/support/table.ts';
import { db, setDb, tableName } from '#lib/store/client.ts';
import { enableTracing, traced, tracingEnabled } from '#lib/aws/tracing.ts';

/**
 * One trace, end to end: with tracing switched on in a Lambda-like
 * environment, the real Powertools Tracer (X-Ray SDK) instruments our
 * DynamoDB client, and a call against DynamoDB Local sends its subsegment to
 * the X-Ray daemon address over UDP, the way the Lambda runtime's daemon
 * receives it. This file runs in its own process (vitest `forks`), so the
 * environment below does not leak into other tests.
 */

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';
const PARENT = '53995c3f42cd8ad8';

type Datagram = { header: { format: string; version: number }; doc: Record<string, unknown> };

describe('SDK tracing (Powertools Tracer)', () => {
  let daemon: Socket;
  const received: Datagram[] = [];

  beforeAll(async () => {
    await createTestTable();
    daemon = createSocket('udp4');
    daemon.on('message', (buf) => {
      const [header, body] = buf.toString('utf8').split('\n');
      received.push({ header: JSON.parse(header!), doc: JSON.parse(body!) });
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    Object.assign(process.env, {
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      LAMBDA_TASK_ROOT: process.cwd(),
      _X_AMZN_TRACE_ID: `Root=${TRACE_ID};Parent=${PARENT};Sampled=1`,
      AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    });
  });
  afterAll(() => {
    daemon.close();
    setDb(undefined);
  });

  it('leaves clients untouched and does not load the Tracer while tracing is off', async () => {
    delete process.env.POWERTOOLS_TRACE_ENABLED;
    await enableTracing();
    expect(tracingEnabled()).toBe(false);
    const client = { middlewareStack: { add: () => undefined } };
    expect(traced(client)).toBe(client);
  });

  it('sends a DynamoDB subsegment of the invocation trace to the daemon when on', async () => {
    process.env.POWERTOOLS_TRACE_ENABLED = 'true';
    await enableTracing();
    setDb(undefined); // the next db() is made after tracing was enabled, as at a function's init
    const res = await db().send(new GetCommand({ TableName: tableName(), Key: { PK: 'SHOP#traced', SK: 'CONFIG' } }));
    expect(res.Item).toBeUndefined();

    await expect.poll(() => received.length, { timeout: 5_000 }).toBeGreaterThan(0);
    const sub = received.find((d) => d.doc.name === 'DynamoDB');
    expect(sub?.header).toEqual({ format: 'json', version: 1 });
    expect(sub?.doc).toMatchObject({
      type: 'subsegment',
      namespace: 'aws',
      trace_id: TRACE_ID,
      parent_id: PARENT,
      aws: { operation: 'GetItem', table_name: tableName() },
      http: { response: { status: 200 } },
    });
    expect(sub?.doc.end_time as number).toBeGreaterThanOrEqual(sub?.doc.start_time as number);
  });
});
