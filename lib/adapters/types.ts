import type { CanonicalEvent } from '#lib/events/schema.ts';
import type { RejectedEvent } from '#lib/store/rejected-events.ts';

/** What an adapter needs to know about the shop that owns a page (or Zalo OA). */
export type ShopContext = {
  shopId: string;
  /** Meta app ids whose echoes are automated replies (chatbots) */
  automationAppIds: string[];
  /** The shop's staff accounts on the platform: account id → staffId (Zalo OA admins) */
  staffAccounts?: Map<string, string>;
};

/** Events routed to their shops, plus what could not be routed. */
export type AdapterResult = {
  events: Array<{ shopId: string; event: CanonicalEvent }>;
  /** page / account ids that no shop registered (de-duplicated); their items produce nothing */
  unknownPages: string[];
  /** items understood but carrying no metric (deliveries, reads, edits, follows, …) */
  ignored: number;
  /** items that failed validation: dropped alone, logged and counted by the caller with their id and reason (and listed among the shop's rejected events when the shop is known) */
  invalid: Array<{ id: string; reason: string; shopId?: string }>;
  /** phones customers submitted without a message (Zalo `user_submit_info`): they link later orders like a phone typed in chat */
  phones?: Array<{ shopId: string; pageId: string; customerId: string; phone: string; at: string }>;
  /** events acknowledged but not counted, to be listed among their shop's rejected events (SPEC §4.1) */
  rejected?: Array<RejectedEvent & { shopId: string }>;
  /** customers that became known without a metric (Zalo `follow`) */
  knownCustomers?: Array<{ shopId: string; pageId: string; customerId: string; at: string }>;
};
