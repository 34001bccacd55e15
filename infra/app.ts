/**
 * The CDK app: `npx cdk deploy` (or `npx cdk synth`). Context an operator sets
 * (cdk.json defaults, or `-c key=value`):
 *   stage        dev | prod …; prod keeps the table on delete and turns on deletion protection
 *   senderEmail  the digests' From address; the stack creates its SES identity (verify it)
 *   secretName   Secrets Manager secret holding the webhook secrets and ADMIN_TOKEN as JSON
 *   alarmEmail   optional address subscribed to the alarm topic
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ChatpulseStack } from './stack.ts';

export function buildApp(app = new App()): { app: App; stack: ChatpulseStack } {
  const ctx = (k: string, fallback?: string) => (app.node.tryGetContext(k) as string | undefined) ?? fallback;
  const stage = ctx('stage', 'dev')!;
  const stack = new ChatpulseStack(app, `Chatpulse-${stage}`, {
    stage,
    senderEmail: ctx('senderEmail', 'digests@example.com')!,
    secretName: ctx('secretName', `chatpulse/${stage}`)!,
    ...(ctx('alarmEmail') ? { alarmEmail: ctx('alarmEmail')! } : {}),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'ap-southeast-1' },
    description: 'chatpulse: chat-commerce reporting backend',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth();
