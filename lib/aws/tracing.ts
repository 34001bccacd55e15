/**
 * X-Ray subsegments for our AWS SDK clients, when an operator switches them
 * on with `POWERTOOLS_TRACE_ENABLED=true` (the Powertools setting; the stack
 * sets it from `-c tracing=sdk`). Off, `traced(client)` returns the client as
 * it is and the Tracer module is never loaded, so the cold start pays
 * nothing; Lambda's active tracing still records each invocation either way.
 *
 * `#tracer` is lib/aws/tracer.ts here (package.json `imports`) and the
 * separately bundled `tracer.mjs` beside a deployed function (its
 * package.json maps it), so the X-Ray SDK stays out of the function bundle.
 */
type Capture = <T>(client: T) => T;

let capture: Capture | undefined;

export function tracingEnabled(): boolean {
  return process.env.POWERTOOLS_TRACE_ENABLED === 'true';
}

/** Loads the Tracer when tracing is on; call before the first client is made (lib/startup.ts does). */
export async function enableTracing(): Promise<void> {
  if (capture || !tracingEnabled()) return;
  const m = (await import('#tracer')) as { captureClient: Capture };
  capture = m.captureClient;
}

/** The client, instrumented when tracing is on. */
export function traced<T>(client: T): T {
  return capture ? capture(client) : client;
}
