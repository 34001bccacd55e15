import type { CanonicalEvent, EventOf } from '#lib/events/schema.ts';

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
  /**
   * The page's replies to comments: the payload names the comment replied to,
   * not its author, so the caller looks the author up (comment links kept by
   * ingest) and fills `customerId`.
   */
  commentReplies?: Array<{ shopId: string; parentCommentId: string; event: Omit<EventOf<'reply.sent'>, 'customerId'> }>;
  /** customers that became known without a metric (Zalo `follow`) */
  knownCustomers?: Array<{ shopId: string; pageId: string; customerId: string; at: string }>;
};
