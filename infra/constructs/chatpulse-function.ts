import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundling } from '../bundling.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type ChatpulseFunctionProps = {
  /** folder under functions/ holding handler.ts */
  name: string;
  environment: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
};

/**
 * Every function's defaults in one place: Node 24 on ARM64, one esbuild ESM
 * bundle with source maps, X-Ray tracing, a log group kept one month.
 * Permissions are granted per function by the construct that owns it.
 */
export class ChatpulseFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ChatpulseFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    super(scope, id, {
      entry: path.join(ROOT, 'functions', props.name, 'handler.ts'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      bundling,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    });
  }
}
