import * as z from '#lib/zod.ts';
import { channelSchema } from '#lib/events/schema.ts';

/** `POST /v1/admin/shops/{shopId}/erasure`: the person, by platform customer id or by phone. */
export const erasureRequestSchema = z.union([
  z.object({ channel: channelSchema, customerId: z.string().check(z.minLength(1), z.maxLength(128)) }),
  z.object({ phone: z.string().check(z.minLength(6), z.maxLength(32)) }),
]);
export type ErasureRequest = z.infer<typeof erasureRequestSchema>;

/** What the 5-minute schedule sends the admin function (infra/constructs/reporting.ts): carry on with the open lifecycle jobs. */
export const SWEEP_EVENT = { sweep: 'lifecycle-jobs' } as const;
export const isSweepEvent = (e: unknown): e is typeof SWEEP_EVENT => typeof e === 'object' && e !== null && (e as { sweep?: unknown }).sweep === SWEEP_EVENT.sweep;
