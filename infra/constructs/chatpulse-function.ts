import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundling, LAMBDA_RUNTIME } from '../bundling.ts';

/** The repository root: entries, package-lock.json and the `#lib/*` imports are resolved from here. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Path of a function's handler, `functions/<name>/handler.ts`. */
export const handlerEntry = (name: string): string => path.join(PROJECT_ROOT, 'functions', name, 'handler.ts');

export type ChatpulseFunctionProps = {
  /** folder under functions/ holding handler.ts (exporting `handler`) */
  name: string;
  environment: Record<string, string>;
  /** per function; the queues' visibility timeouts are derived from it */
  timeout: Duration;
  /** @default 512 */
  memorySize?: number;
};

/**
 * Every function's defaults in one place: ARM64 on the runtime of
 * infra/bundling.ts, one esbuild ESM bundle with its source map beside it,
 * X-Ray tracing, its own log group kept one month. Node is not told to apply
 * the source map (`--enable-source-maps` reads and decodes it while the
 * module loads: 12–55 ms more per cold start, bench/RESULTS.md);
 * to read a stack trace, decode it with the map, or set NODE_OPTIONS for a
 * while. Permissions
 * are granted per function by the construct that owns it.
 */
export class ChatpulseFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ChatpulseFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    super(scope, id, {
      entry: handlerEntry(props.name),
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling,
      environment: {
        // lib/log.ts (Powertools): INFO, and 1 % of invocations logged at DEBUG
        POWERTOOLS_SERVICE_NAME: 'chatpulse',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_LOGGER_SAMPLE_RATE: '0.01',
        ...props.environment,
      },
    });
  }
}
