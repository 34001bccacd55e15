import * as z from '#lib/zod.ts';

/**
 * What travels on the alert queue (lib/alerts/queue.ts):
 * - `timer`: waits of one shop to look at when their next threshold is due
 *   (one message for the waits one ingest batch opened, so a storm makes a
 *   few messages, not one per wait); each wait names the threshold it is
 *   waiting for next;
 * - `flush`: one alert group (a shop, a threshold, a minute) to send once its
 *   minute is over;
 * - `retry`: one channel of a group whose delivery failed, with the attempt
 *   it is at.
 */
const waitRef = z.object({
  pageId: z.string().check(z.minLength(1), z.maxLength(128)),
  customerId: z.string().check(z.minLength(1), z.maxLength(128)),
  openedAt: z.number().check(z.int()),
  next: z.optional(z.enum(['warning', 'breach'])),
  /** times the wait was not in its conversation yet when its timer fired (queued before the commit: lib/alerts/timers.ts) */
  unseen: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(100))),
});
export type WaitRef = z.infer<typeof waitRef>;

const shopId = z.string().check(z.minLength(1), z.maxLength(128));
const threshold = z.enum(['warning', 'breach']);
const windowIso = z.iso.datetime();

export const alertMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('timer'), shopId, waits: z.array(waitRef).check(z.minLength(1), z.maxLength(500)) }),
  z.object({ kind: z.literal('flush'), shopId, window: windowIso, threshold, part: z.number().check(z.int(), z.minimum(0)) }),
  z.object({ kind: z.literal('retry'), shopId, window: windowIso, threshold, part: z.number().check(z.int(), z.minimum(0)), channel: z.number().check(z.int(), z.minimum(0), z.maximum(9)), attempt: z.number().check(z.int(), z.minimum(1)) }),
]);
export type AlertMessage = z.infer<typeof alertMessageSchema>;
export type TimerMessage = Extract<AlertMessage, { kind: 'timer' }>;
export type FlushMessage = Extract<AlertMessage, { kind: 'flush' }>;
export type RetryMessage = Extract<AlertMessage, { kind: 'retry' }>;
