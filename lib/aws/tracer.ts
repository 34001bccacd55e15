import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools Tracer, loaded only when tracing is switched on
 * (lib/aws/tracing.ts): the X-Ray SDK it brings is ~125 KB, more than the
 * bundle budget of a function leaves, so it ships beside each bundle as its
 * own module (`tracer.mjs`, infra/bundling.ts) and costs nothing when off.
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'chatpulse' });

/** Adds an X-Ray subsegment (service, operation, table, retries, errors) to every call of the client. */
export function captureClient<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}
