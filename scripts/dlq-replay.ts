/**
 * `npm run dlq:replay -- [ingest|digest]`: puts dead-lettered messages back
 * on their queue once the cause is fixed. Redelivery is safe: ingest counts
 * every event once and the digest ledger sends every email once.
 *
 * - With DLQ_ARN set (AWS): starts an SQS message move task from that
 *   dead-letter queue back to the queue that fed it (SQS redrive).
 * - Otherwise (local runtime): moves `.data/queues/<queue>-dlq/*` back to
 *   `.data/queues/<queue>/`, dropping the recorded reason.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';

const queue = process.argv[2] ?? 'ingest';
if (process.env.DLQ_ARN) {
  const res = await new SQSClient({}).send(new StartMessageMoveTaskCommand({ SourceArn: process.env.DLQ_ARN }));
  console.log(`move task started: ${res.TaskHandle}`);
} else {
  const dataDir = path.resolve(process.env.DATA_DIR ?? '.data', 'queues');
  const from = path.join(dataDir, `${queue}-dlq`);
  const to = path.join(dataDir, queue);
  mkdirSync(to, { recursive: true });
  let moved = 0;
  for (const f of readdirSync(from).filter((x) => x.endsWith('.json'))) {
    const stored = JSON.parse(readFileSync(path.join(from, f), 'utf8')) as { id: string; groupId?: string; body: unknown; reason?: string };
    if (stored.reason) console.log(`${f}: was dead-lettered because ${stored.reason}`);
    const fresh = { id: stored.id, groupId: stored.groupId ?? queue, body: stored.body, receives: 0 };
    writeFileSync(path.join(to, `${stored.id}.json.tmp`), JSON.stringify(fresh));
    renameSync(path.join(to, `${stored.id}.json.tmp`), path.join(to, `${stored.id}.json`));
    rmSync(path.join(from, f));
    moved++;
  }
  console.log(`moved ${moved} message(s) from ${from} back to ${to}; a running npm start delivers them now`);
}
