import { AssetHashType, DockerImage, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alias, Architecture, Code, Function as LambdaFunction, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { LAMBDA_RUNTIME, PROJECT_ROOT } from '../bundling.ts';

export type ChatpulseFunctionProps = {
  /** folder under functions/ holding handler.ts (exporting `handler`) */
  name: string;
  environment: Record<string, string>;
  /** per function; the queues' visibility timeouts are derived from it */
  timeout: Duration;
  /** @default 512 */
  memorySize?: number;
  /**
   * Where an asynchronous invocation (a schedule, an EventBridge rule) that
   * still fails after Lambda's two retries is kept. Functions invoked only
   * synchronously (API Gateway) or by an SQS event source (whose queue has
   * its own dead-letter queue) have none.
   */
  deadLetterQueue?: IQueue;
};

/**
 * A function's code: `scripts/bundle-function.ts <name> <asset dir>` run on
 * this machine (esbuild's JS API with the options and plugin of
 * infra/bundling.ts; NodejsFunction calls the esbuild CLI, which cannot run
 * plugins). The asset is hashed by what the bundler wrote. Stacks that are
 * not being deployed (`cdk synth` of another stack, the template tests) skip
 * bundling, as NodejsFunction does; the Docker image is never pulled because
 * the local bundling always answers (or throws with esbuild's message).
 */
export function functionCode(name: string): Code {
  return Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('local-bundling-only'),
      // what runs, also naming the function: CDK caches a staged asset by its source and bundling options
      command: ['tsx', 'scripts/bundle-function.ts', name, '/asset-output'],
      local: {
        tryBundle(outputDir: string): boolean {
          execFileSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/bundle-function.ts', name, outputDir], { cwd: PROJECT_ROOT, stdio: 'inherit' });
          return true;
        },
      },
    },
  });
}

/**
 * Every function's defaults in one place: ARM64 on the runtime of
 * infra/bundling.ts, one esbuild ESM bundle with its source map beside it,
 * X-Ray tracing, its own log group kept one month. Node is not told to apply
 * the source map (`--enable-source-maps` reads and decodes it while the
 * module loads: 12–55 ms more per cold start, bench/RESULTS.md);
 * to read a stack trace, decode it with the map, or set NODE_OPTIONS for a
 * while. Permissions
 * are granted per function by the construct that owns it.
 *
 * Every deploy publishes a version (when code or configuration changed) and
 * points the `live` alias at it; everything that invokes a function (API
 * routes, the authorizer, event sources, the schedule, rules) invokes `live`,
 * so a deployment group (infra/constructs/deployments.ts) can shift traffic
 * to a new version gradually and back on alarm.
 */
export class ChatpulseFunction extends LambdaFunction {
  readonly live: Alias;

  constructor(scope: Construct, id: string, props: ChatpulseFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    super(scope, id, {
      code: functionCode(props.name),
      handler: 'index.handler',
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup,
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      environment: {
        // lib/log.ts (Powertools): INFO, and 1 % of invocations logged at DEBUG
        POWERTOOLS_SERVICE_NAME: 'chatpulse',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_LOGGER_SAMPLE_RATE: '0.01',
        ...props.environment,
      },
    });
    this.live = new Alias(this, 'Live', { aliasName: 'live', version: this.currentVersion });
  }
}
