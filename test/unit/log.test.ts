import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * lib/log.ts over Powertools Logger and Metrics: the standard keys, sampling,
 * redaction and one metrics flush per invocation, read from what is written
 * to stdout/stderr (Powertools writes to the streams, not to `console`).
 */

const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const context = {
  functionName: 'chatpulse-ingest',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-southeast-1:123456789012:function:chatpulse-ingest',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

let lines: string[];
let saved: NodeJS.ProcessEnv;

async function freshLog(env: Record<string, string>) {
  Object.assign(process.env, env);
  vi.resetModules();
  return import('#lib/log.ts');
}

const json = () => lines.flatMap((l) => l.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
const logs = () => json().filter((o) => !o._aws);
const emf = () => json().filter((o) => o._aws);

beforeEach(() => {
  saved = { ...process.env };
  lines = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof stream.write);
  }
  // what the Lambda runtime sets for an on-demand invocation traced by X-Ray
  process.env._X_AMZN_TRACE_ID = `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`;
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  delete process.env.POWERTOOLS_LOGGER_SAMPLE_RATE;
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.POWERTOOLS_DEV;
});

afterEach(() => {
  vi.restoreAllMocks();
  process.env = saved;
});

describe('log (Powertools Logger)', () => {
  it('writes the keys operators search by: cold start, request id, function name, correlation id, X-Ray trace id', async () => {
    const { log, observe } = await freshLog({ LOG_LEVEL: 'INFO' });
    const handler = middy<{ requestContext: { requestId: string } }, void>()
      .use(observe())
      .handler(async () => log.info('report served', { shopId: 'shop-1' }));

    await handler({ requestContext: { requestId: 'api-req-42' } }, context);
    await handler({ requestContext: { requestId: 'api-req-43' } }, context);

    const [first, second] = logs().filter((l) => l.message === 'report served');
    expect(first).toMatchObject({
      level: 'INFO',
      message: 'report served',
      service: 'chatpulse',
      cold_start: true,
      function_name: 'chatpulse-ingest',
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      correlation_id: 'api-req-42',
      xray_trace_id: TRACE_ROOT,
      shopId: 'shop-1',
    });
    expect(second).toMatchObject({ cold_start: false, correlation_id: 'api-req-43' });
  });

  it('redacts secrets by key and by value, personal data, and never writes a stack', async () => {
    const { log } = await freshLog({ LOG_LEVEL: 'INFO', ADMIN_TOKEN: 'adm-0123456789-secret' });
    const err = new Error('connect failed with adm-0123456789-secret for 0912 345 678');
    err.name = 'SdkFailure';

    log.info('customer wrote', { apiKey: 'cp_live_abcdef', authorization: 'Bearer xyz', phone: '0912345678', customerId: 'psid-998877', shopId: 'shop-1', note: 'gọi lại số +84 912 345 678 nhé' });
    log.error('send failed', err, { email: 'lan@example.vn' });

    const [info, error] = logs();
    expect(info).toMatchObject({
      apiKey: '[redacted]',
      authorization: '[redacted]',
      phone: '[personal]',
      customerId: '[personal]',
      shopId: 'shop-1',
      note: 'gọi lại số [phone] nhé',
    });
    expect(error).toMatchObject({ level: 'ERROR', errorName: 'SdkFailure', errorMessage: 'connect failed with [redacted] for [phone]', email: '[personal]' });
    const all = lines.join('');
    expect(all).not.toContain('adm-0123456789-secret');
    expect(all).not.toContain('0912345678');
    expect(all).not.toContain('psid-998877');
    expect(all).not.toMatch(/\n\s+at /);
    expect(all).not.toContain('"stack"');
  });

  it('masks phones in free text but never touches ids: request, trace, page, order, event, 17-digit ad ids', async () => {
    const { log, observe } = await freshLog({ LOG_LEVEL: 'INFO' });
    // ids that hold phone-like digit runs, as API Gateway, Lambda, Meta and the platforms make them
    const requestId = 'c6af9ac6-0912-3456-7890-0912345678ab';
    const apiRequestId = 'Jr0912345678xA=';
    const ids = {
      pageId: '0912345678',
      orderId: 'haravan:0912345678',
      eventId: 'meta:m_0912345678abcdef',
      adId: '84123456789012345',
      messageIds: ['0987654321', 'x-0987654321'],
      id: '0356789123',
    };
    const handler = middy(async () => {
      log.warn('event dropped', { ...ids, reason: 'request 1-0912345678-ab for ad 84123456789012345 and m_0912345678x, order #0912345678, path /p/0912345678, ref 0912345678-ab' });
      log.info('customer wrote', { note: 'SĐT:0912345678, hoặc 0912.345.678. Gọi (+84) 912 345 678 hay 84912345678', text: '0912345678' });
    }).use(observe());
    await handler({ requestContext: { requestId: apiRequestId } }, { ...context, awsRequestId: requestId });

    const [dropped, wrote] = logs();
    expect(dropped).toMatchObject({ ...ids, function_request_id: requestId, correlation_id: apiRequestId });
    expect(dropped!.reason).toBe('request 1-0912345678-ab for ad 84123456789012345 and m_0912345678x, order #0912345678, path /p/0912345678, ref 0912345678-ab');
    expect(wrote).toMatchObject({ note: 'SĐT:[phone], hoặc [phone]. Gọi [phone] hay [phone]', text: '[phone]' });
  });

  it('logs nothing when LOG_LEVEL is silent', async () => {
    const { log, metric, flushMetrics } = await freshLog({ LOG_LEVEL: 'silent' });
    log.error('boom', new Error('x'));
    metric('EventsApplied', 3);
    flushMetrics();
    expect(json()).toEqual([]);
  });

  it('samples: with a sample rate of 1 an invocation logs at DEBUG even though the level is WARN', async () => {
    const { log, observe } = await freshLog({ LOG_LEVEL: 'WARN', POWERTOOLS_LOGGER_SAMPLE_RATE: '1' });
    const handler = middy().use(observe()).handler(async () => log.debug('sampled detail'));
    await handler({}, context);
    expect(logs().find((l) => l.message === 'sampled detail')).toMatchObject({ level: 'DEBUG', sampling_rate: 1 });
  });

  it('without sampling, DEBUG stays out at level WARN', async () => {
    const { log, observe } = await freshLog({ LOG_LEVEL: 'WARN' });
    const handler = middy().use(observe()).handler(async () => log.debug('detail'));
    await handler({}, context);
    expect(logs().find((l) => l.message === 'detail')).toBeUndefined();
  });
});

describe('metric (Powertools Metrics)', () => {
  it('buffers the invocation and flushes once at its end: one EMF line per dimension set', async () => {
    const { metric, observe } = await freshLog({ LOG_LEVEL: 'INFO' });
    let emfDuringHandler = -1;
    const handler = middy<{ Records: { messageId: string }[] }, void>()
      .use(observe())
      .handler(async () => {
        metric('EventsApplied', 4, { shopId: 's1' });
        metric('EventsApplied', 6, { shopId: 's1' });
        metric('EventsDuplicate', 1, { shopId: 's1' });
        metric('EventsApplied', 2, { shopId: 's2' });
        metric('WebhookEvents', 5);
        emfDuringHandler = emf().filter((b) => !('ColdStart' in b)).length; // ColdStart is Powertools' own single metric, written at once
      });

    await handler({ Records: [{ messageId: 'm-1' }, { messageId: 'm-2' }] }, context);

    expect(emfDuringHandler).toBe(0);
    const blobs = emf();
    const coldStart = blobs.filter((b) => 'ColdStart' in b);
    expect(coldStart).toHaveLength(1);
    expect(coldStart[0]).toMatchObject({ ColdStart: 1, function_name: 'chatpulse-ingest', service: 'chatpulse' });
    const app = blobs.filter((b) => !('ColdStart' in b));
    expect(app).toHaveLength(3);
    const s1 = app.find((b) => b.shopId === 's1')!;
    expect(s1).toMatchObject({ EventsApplied: [4, 6], EventsDuplicate: 1, service: 'chatpulse' });
    expect(s1._aws.CloudWatchMetrics[0].Namespace).toBe('chatpulse');
    expect(s1._aws.CloudWatchMetrics[0].Dimensions[0].sort()).toEqual(['service', 'shopId']);
    expect(app.find((b) => b.shopId === 's2')).toMatchObject({ EventsApplied: 2 });
    expect(app.find((b) => b.shopId === undefined)).toMatchObject({ WebhookEvents: 5 });
  });

  it('flushes even when the handler throws', async () => {
    const { metric, observe } = await freshLog({ LOG_LEVEL: 'INFO' });
    const handler = middy()
      .use(observe())
      .handler(async () => {
        metric('DigestsSent', 1, { period: 'daily' });
        throw new Error('after the metric');
      });
    await expect(handler({}, context)).rejects.toThrow('after the metric');
    expect(emf().find((b) => b.period === 'daily')).toMatchObject({ DigestsSent: 1 });
  });
});
