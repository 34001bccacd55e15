import middy from '@middy/core';
import { dispatchDueDigests } from '#lib/digests/dispatch.ts';
import { log, observe } from '#lib/log.ts';
import { startup } from '#lib/startup.ts';

await startup('digest-dispatch');

/** Hourly schedule: queues the digests due in each shop's zone. */
const main = async (event: { time?: string }): Promise<{ jobs: number }> => {
  const at = event?.time ? new Date(event.time) : new Date();
  const out = await dispatchDueDigests(at);
  log.info('digests dispatched', { at: at.toISOString(), jobs: out.jobs });
  return out;
};

export const handler = middy<{ time?: string }, { jobs: number }>().use(observe()).handler(main);
