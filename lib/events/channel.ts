import * as z from '#lib/zod.ts';

/**
 * Channels a page can belong to. Messages and comments are told apart by event kind.
 * Its own module so that shop settings (lib/shops/schema.ts) can name it without
 * pulling the whole event model into functions that never parse an event (digest-send).
 */
export const channelSchema = z.enum(['facebook', 'instagram', 'zalo']);
export type Channel = z.infer<typeof channelSchema>;
