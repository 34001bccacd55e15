/**
 * Shapes of the report API's JSON (SPEC §4.1). Money is a number in major
 * units of the shop currency; rates are fractions (0.25 = 25 %), null when
 * their denominator is 0.
 */
export const REPORT_NAMES = ['overview', 'conversations', 'staff-chat', 'staff-sales', 'ads', 'referrals'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export type Totals = {
  customersReached: number;
  customersCared: number;
  newCustomers: number;
  messagesReceived: number;
  commentsReceived: number;
  messageConversations: number;
  ordersCreated: number;
  ordersCancelled: number;
  orders: number;
  ordersDelivered: number;
  ordersReturned: number;
  /** Orders delivered in the range, by delivery time, whenever they were created. */
  deliveries: number;
  /** Value of `deliveries`: what the carriers collect for cash on delivery. */
  deliveredRevenue: number;
  revenue: number;
  provisionalRevenue: number;
  /** Revenue minus cost of goods over the orders whose cost is known; null when none is. */
  grossProfit: number | null;
  /** Non-cancelled orders with a known cost / `orders`; null without orders. */
  costCoverage: number | null;
  closeRate: number | null;
  pagesActivated: number;
  channelsConnected: number;
};

export type Funnel = { reached: number; cared: number; ordered: number; delivered: number };

export type TopStaff = { staffId: string; name: string; customersCared: number; revenue: number; conversionRate: number | null };

export type ReportHeader = {
  shopId: string;
  from: string;
  to: string;
  timezone: string;
  currency: string;
  generatedAt: string;
  /** True when some distinct count in the response is an upper bound (see README, "Distinct counts"). */
  approximate?: boolean;
};

export type OverviewReport = ReportHeader & {
  totals: Totals;
  previous: Totals;
  /** The dates `previous` covers: the previous calendar month, ISO week or day, else the range of equal length just before `from`. */
  previousRange?: { from: string; to: string };
  /** `day`: one series entry per date; `month`: ranges over 62 days, one entry per `YYYY-MM` (edge months partial). (Added; optional.) */
  seriesPeriod?: 'day' | 'month';
  funnel: Funnel;
  series: Array<{ date: string } & Totals>;
  reachByHour: number[];
  interactionsByHour: number[];
  topStaff: TopStaff[];
};

export type ChatStaffRow = {
  staffId: string; // a staff id, 'unknown' or 'automated'
  name: string;
  responseTimeMedianSeconds: number | null;
  responseTimeP90Seconds: number | null;
  /** Kept beside the median and P90; a few very long waits can pull it above the P90. */
  responseTimeAvgSeconds: number | null;
  messageReplies: number;
  commentReplies: number;
  conversationsAnswered: number;
  missedConversations: number;
  missedByShift: Record<string, number>;
  /** Waits closed within `responseSlaMinutes` working minutes / waits closed (null without waits). */
  slaMetRate: number | null;
  /** `slaMetRate` per shift in which the wait's working time began. */
  slaMetRateByShift: Record<string, number | null>;
};

/** Per shift of the shop, over all staff (staff-chat `shifts`). */
export type ShiftTotalsRow = { shift: string; waitsClosed: number; withinSla: number; slaMetRate: number | null; missedConversations: number };

export type SalesStaffRow = {
  staffId: string;
  name: string;
  ordersCreated: number;
  orders: number;
  revenue: number;
  grossProfit: number | null;
  costCoverage: number | null;
  customersCared: number;
  conversionRate: number | null;
};

export type AdRow = {
  adId: string;
  /** The ad's name from `ad.spend`, else its title from referrals; null when unknown. */
  adName: string | null;
  campaignId: string | null;
  campaignName: string | null;
  conversationsStarted: number;
  customersReached: number;
  ordersCreated: number;
  orders: number;
  revenue: number;
  spend: number;
  roas: number | null;
  costPerOrder: number | null;
  /** spend / conversationsStarted (Vietnamese sellers' "giá tin nhắn"). */
  costPerConversation: number | null;
};

export type CampaignRow = Omit<AdRow, 'adId' | 'adName' | 'campaignId' | 'campaignName'> & { campaignId: string; campaignName: string | null };

export type ReferralRow = {
  participants: number;
  referred: number;
  sharers: number;
  shareRate: number | null;
  referralOrders: number;
  referralRevenue: number;
};

export type ConversationRow = { date: string; hour?: number; pageId?: string; channel?: string } & Totals;

export type RowsReport<R> = ReportHeader & { rows: R[] };
export type StaffChatReport = RowsReport<ChatStaffRow> & { shifts: ShiftTotalsRow[] };
export type StaffSalesReport = RowsReport<SalesStaffRow>;
export type AdsReport = RowsReport<AdRow> & { campaigns: CampaignRow[] };
export type ReferralsReport = RowsReport<ReferralRow>;
export type ConversationsReport = RowsReport<ConversationRow>;
