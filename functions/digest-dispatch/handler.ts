import middy from '@middy/core';
import { dispatchDueDigests } from '#lib/digests/dispatch.ts';
import { log, observe } from '#lib/log.ts';
import { loadSecrets } from '#lib/secrets.ts';
import { startup } from '#lib/startup.ts';

await startup('digest-dispatch', loadSecrets);

/** Hourly schedule: queues the digests due in each shop's zone, their links signed. */
const main = async (event: { time?: string }): Promise<{ jobs: number }> => {
  await loadSecrets(); // the link keys, re-read once their cache expires (rotation)
  const at = event?.time ? new Date(event.time) : new Date();
  const out = await dispatchDueDigests(at);
  log.info('digests dispatched', { at: at.toISOString(), jobs: out.jobs });
  return out;
};

export const handler = middy<{ time?: string }, { jobs: number }>().use(observe()).handler(main);
