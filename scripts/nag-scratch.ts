import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { buildApp } from '/work/wt/ops/infra/app.ts';
const app = new App({ context: { 'aws:cdk:bundling-stacks': [], stage: process.env.STAGE ?? 'test', senderEmail: 'd@shop.vn', alarmEmail: 'ops@shop.vn' } });
buildApp(app);
try { app.synth(); } catch (e) { console.log('synth threw', String(e).slice(0, 3000)); }
for (const pack of [new AwsSolutionsChecks(app), new ServerlessChecks(app)]) {
  const r = pack.validateScope(app);
  for (const v of r.violations) console.log(v.ruleName, v.violatingResources.map((x) => x.constructPath + (x.locations?.length ? '' : '')).join(' | '));
}
