import type { Locale } from '#lib/shops/schema.ts';

/**
 * What every number means: the one definition of each metric key (SPEC §3),
 * in `vi-VN` and `en`, with its time basis. Three outputs are generated from
 * this list and nothing else: `GET /v1/metrics`, the README's metrics table
 * (`npm run docs:metrics`, checked by test/unit/reports/metrics.test.ts) and
 * the descriptions of the report fields in the OpenAPI document.
 */

export type MetricGroup = 'overview' | 'funnel' | 'profile' | 'staff-chat' | 'staff-sales' | 'ads' | 'referrals';
export type MetricUnit = 'count' | 'money' | 'moneyOrNull' | 'rate' | 'seconds' | 'hours24' | 'map' | 'rateMap';
type Text = Record<Locale, string>;

export type MetricDefinition = {
  /** The JSON key as reports return it. */
  key: string;
  /** Where it appears: the overview's `totals`/`series`, its `funnel`, its hour profiles, or the rows of a report. */
  group: MetricGroup;
  unit: MetricUnit;
  label: Text;
  definition: Text;
  /** Which instant puts an event in a day or hour of the range. */
  timeBasis: Text;
};

const INBOUND: Text = {
  'vi-VN': 'thời điểm (`at`) của tin nhắn hoặc bình luận, theo múi giờ của shop',
  en: 'the `at` of the message or comment, in the shop time zone',
};
const ORDER_CREATED: Text = {
  'vi-VN': 'thời điểm tạo đơn, theo múi giờ của shop; hủy/giao/hoàn hoặc sửa đơn (giá trị, nhân viên, trang) đến sau vẫn tính về ngày tạo đơn',
  en: 'the order creation time in the shop time zone; a later cancellation, delivery or return, or an edit of the order (amount, staff, page), counts on the creation day',
};
const REPLY: Text = {
  'vi-VN': 'thời điểm của câu trả lời, theo múi giờ của shop',
  en: 'the `at` of the reply, in the shop time zone',
};
const WAIT_CLOSED: Text = {
  'vi-VN': 'ngày của câu trả lời kết thúc lượt chờ',
  en: 'the day of the reply that closed the wait',
};
const DELIVERED: Text = {
  'vi-VN': 'thời điểm giao hàng (đơn đến tay khách), theo múi giờ của shop, dù đơn tạo lúc nào',
  en: 'the delivery time (the parcel reached the customer) in the shop time zone, whenever the order was created',
};
const NOW: Text = { 'vi-VN': 'hiện tại (không phụ thuộc khoảng ngày)', en: 'now (independent of the range)' };
const RATIO_OF_RANGE: Text = { 'vi-VN': 'theo thời điểm của tử số và mẫu số', en: 'as its numerator and denominator' };

const d = (key: string, group: MetricGroup, unit: MetricUnit, label: [string, string], definition: [string, string], timeBasis: Text): MetricDefinition => ({
  key,
  group,
  unit,
  label: { 'vi-VN': label[0], en: label[1] },
  definition: { 'vi-VN': definition[0], en: definition[1] },
  timeBasis,
});

export const METRICS: readonly MetricDefinition[] = [
  // overview: totals, previous and every series entry
  d('customersReached', 'overview', 'count', ['Khách tiếp cận', 'Customers reached'],
    ['Số khách khác nhau đã nhắn tin hoặc bình luận (một khách là một cặp kênh + mã khách, tính riêng theo trang)', 'Distinct customers who sent a message or a comment (a customer is a channel + customer id pair, per page)'], INBOUND),
  d('customersCared', 'overview', 'count', ['Khách được chăm sóc', 'Customers cared'],
    ['Số khách khác nhau nhận được ít nhất một câu trả lời (nhân viên hoặc tự động)', 'Distinct customers who got at least one reply, from staff or automated'], REPLY),
  d('newCustomers', 'overview', 'count', ['Khách hàng mới', 'New customers'],
    ['Khách có tin nhắn hoặc bình luận đầu tiên từ trước đến nay với trang đó nằm trong khoảng ngày', 'Customers whose first message or comment ever to that page falls in the range'], INBOUND),
  d('messagesReceived', 'overview', 'count', ['Tin nhắn nhận', 'Messages received'], ['Số tin nhắn khách gửi đến', 'Inbound messages'], INBOUND),
  d('commentsReceived', 'overview', 'count', ['Bình luận nhận', 'Comments received'], ['Số bình luận của khách', 'Inbound comments'], INBOUND),
  d('messageConversations', 'overview', 'count', ['Hội thoại tin nhắn', 'Message conversations'],
    ['Số khách khác nhau đã gửi tin nhắn (không tính bình luận)', 'Distinct customers who sent a message (comments excluded)'], INBOUND),
  d('ordersCreated', 'overview', 'count', ['Đơn đã tạo', 'Orders created'], ['Số đơn tạo trong khoảng ngày, mọi trạng thái', 'Orders created in the range, every status'], ORDER_CREATED),
  d('ordersCancelled', 'overview', 'count', ['Đơn hủy', 'Cancelled orders'], ['Trong số đơn đã tạo, số đơn bị hủy (bất kỳ lúc nào sau đó)', 'Of the orders created, those cancelled (at any time since)'], ORDER_CREATED),
  d('orders', 'overview', 'count', ['Đơn hàng', 'Orders'], ['`ordersCreated − ordersCancelled`', '`ordersCreated − ordersCancelled`'], ORDER_CREATED),
  d('ordersDelivered', 'overview', 'count', ['Đơn đã giao', 'Orders delivered'], ['Trong số đơn đã tạo, số đơn đã đến tay khách', 'Of the orders created, those that reached the customer'], ORDER_CREATED),
  d('ordersReturned', 'overview', 'count', ['Đơn hoàn', 'Orders returned'], ['Trong số đơn đã tạo, số đơn bị hoàn về', 'Of the orders created, those returned'], ORDER_CREATED),
  d('deliveries', 'overview', 'count', ['Đơn giao thành công', 'Deliveries'],
    ['Số đơn giao đến tay khách trong khoảng ngày, dù tạo lúc nào (báo cáo ngày dùng số này, không dùng tỉ lệ giao của đơn mới hôm qua)', 'Orders delivered in the range, whenever they were created (the daily digest shows this, not the delivered share of yesterday’s new orders)'], DELIVERED),
  d('deliveredRevenue', 'overview', 'money', ['Tiền hàng đã giao', 'Delivered revenue'],
    ['Giá trị các đơn đó: với đơn thu hộ (COD), số tiền đơn vị vận chuyển thu về', 'Value of those orders: for cash on delivery, what the carriers collect'], DELIVERED),
  d('revenue', 'overview', 'money', ['Doanh thu', 'Revenue'], ['Giá trị các đơn không bị hủy (`orders`), theo đơn vị chính của tiền tệ shop', 'Value of the non-cancelled orders (`orders`), in major units of the shop currency'], ORDER_CREATED),
  d('provisionalRevenue', 'overview', 'money', ['Doanh thu tạm tính', 'Provisional revenue'], ['Giá trị mọi đơn đã tạo (`ordersCreated`)', 'Value of every order created (`ordersCreated`)'], ORDER_CREATED),
  d('grossProfit', 'overview', 'moneyOrNull', ['Lợi nhuận gộp', 'Gross profit'],
    ['Doanh thu trừ giá vốn, chỉ trên các đơn không hủy đã biết giá vốn (từ dòng hàng, hoặc bảng giá vốn của shop); null khi chưa đơn nào biết giá vốn, không bao giờ là 0 thay cho "chưa biết"', 'Revenue minus cost of goods over the non-cancelled orders whose cost is known (line cost, else the shop product cost table); null when no order of the range has a known cost, never 0 for "unknown"'], ORDER_CREATED),
  d('costCoverage', 'overview', 'rate', ['Đơn đã có giá vốn', 'Cost coverage'],
    ['Đơn không hủy đã biết giá vốn / `orders`; null khi không có đơn. Dưới 1 thì `grossProfit` chỉ tính một phần đơn và được ghi kèm', 'Non-cancelled orders whose cost is known / `orders`; null without orders. Below 1, `grossProfit` covers only part of the orders and is shown with it'], ORDER_CREATED),
  d('closeRate', 'overview', 'rate', ['Tỉ lệ chốt đơn', 'Close rate'],
    ['`ordersCreated / customersReached`; có thể vượt 1 khi khách đặt nhiều đơn; null khi không có khách', '`ordersCreated / customersReached`; can pass 1 when customers order twice; null when nobody was reached'], RATIO_OF_RANGE),
  d('pagesActivated', 'overview', 'count', ['Trang đã kích hoạt', 'Pages activated'], ['Số trang đang kết nối', 'Pages connected now'], NOW),
  d('channelsConnected', 'overview', 'count', ['Kênh đã kết nối', 'Channels connected'],
    ['Số kênh (`facebook`, `instagram`, `zalo`) có ít nhất một trang đang kết nối', 'Distinct channels (`facebook`, `instagram`, `zalo`) with at least one page connected now'], NOW),
  // funnel
  d('reached', 'funnel', 'count', ['Khách tiếp cận', 'Reached'], ['= `customersReached`: khách đã nhắn tin hoặc bình luận', '= `customersReached`: customers who sent a message or a comment'], INBOUND),
  d('cared', 'funnel', 'count', ['Khách được trả lời', 'Cared for'],
    ['Trong số khách tiếp cận, khách được trả lời trong khoảng ngày (khác `customersCared` của tổng quan, tính cả khách nhắn từ trước)', 'Of those reached, customers who got a reply in the range (unlike the totals’ `customersCared`, which counts whoever wrote when)'], REPLY),
  d('ordered', 'funnel', 'count', ['Khách đặt hàng', 'Ordered'], ['Trong số đó, khách có đơn không hủy tạo trong khoảng ngày', 'Of those, customers with a non-cancelled order created in the range'], ORDER_CREATED),
  d('delivered', 'funnel', 'count', ['Khách nhận hàng', 'Delivered'],
    ['Trong số đó, khách có một trong các đơn ấy đã giao (bất kỳ lúc nào sau đó). Mỗi bước là tập con của bước trước, nên không bước nào vượt 100 % bước trước', 'Of those, customers one of whose orders was delivered (at any time since). Each stage is a subset of the one before, so no stage exceeds 100 % of the previous one'], ORDER_CREATED),
  // hour profiles
  d('reachByHour', 'profile', 'hours24', ['Khách tiếp cận theo giờ', 'Customers reached by hour'],
    ['24 số: mỗi giờ trong ngày, số khách có tin nhắn hoặc bình luận đầu tiên trong ngày rơi vào giờ đó', '24 numbers: per hour of day, the customers whose first inbound message or comment of their day fell in that hour'], INBOUND),
  d('interactionsByHour', 'profile', 'hours24', ['Tương tác theo giờ', 'Interactions by hour'], ['24 số: tin nhắn cộng bình luận nhận được mỗi giờ', '24 numbers: inbound messages plus comments per hour of day'], INBOUND),
  // staff-chat rows (per staff, `unknown`, `automated`)
  d('responseTimeMedianSeconds', 'staff-chat', 'seconds', ['Phản hồi trung vị', 'Median response'],
    ['Trung vị thời gian chờ (giây, chỉ tính giờ làm việc `workingHours`, trừ `closedDates`): một nửa số lượt chờ được trả lời nhanh hơn. Lượt chờ mở khi khách nhắn/bình luận mà chưa có lượt chờ nào mở, đóng ở câu trả lời kế tiếp. Từ biểu đồ tần suất như P90, nên không bao giờ lớn hơn P90', 'Median wait in seconds, counting working hours only (`workingHours`, minus `closedDates`): half the waits were answered faster. A wait opens at a customer message or comment when none is open and closes at the next reply. From the same histogram as the P90, so never above it'], WAIT_CLOSED),
  d('responseTimeP90Seconds', 'staff-chat', 'seconds', ['Phản hồi P90', 'P90 response'],
    ['Phân vị 90 của thời gian chờ (giây làm việc): 9 trên 10 lượt chờ được trả lời nhanh hơn; từ biểu đồ tần suất cố định 15 giây … 48 giờ, nội suy trong ô', '90th percentile of the wait in working seconds: 9 in 10 waits were answered faster; from a fixed histogram (15 s … 48 h buckets) interpolated inside the bucket'], WAIT_CLOSED),
  d('responseTimeAvgSeconds', 'staff-chat', 'seconds', ['Phản hồi TB', 'Avg response'],
    ['Thời gian chờ trung bình (giây làm việc). Vài lượt chờ rất dài (khách nhắn lúc đóng cửa, trả lời hôm sau) kéo trung bình lên, nên nó có thể lớn hơn cả P90; vì vậy báo cáo hiển thị trung vị và P90 trước', 'Mean wait in working seconds. A few very long waits (a message at closing time answered the next day) pull the mean up, so it can exceed even the P90; that is why reports show the median and P90 first'], WAIT_CLOSED),
  d('messageReplies', 'staff-chat', 'count', ['Trả lời tin nhắn', 'Message replies'], ['Số câu trả lời tin nhắn', 'Replies to messages'], REPLY),
  d('commentReplies', 'staff-chat', 'count', ['Trả lời bình luận', 'Comment replies'], ['Số câu trả lời bình luận', 'Replies to comments'], REPLY),
  d('conversationsAnswered', 'staff-chat', 'count', ['Hội thoại đã trả lời', 'Conversations answered'], ['Số hội thoại (khách) khác nhau được trả lời', 'Distinct conversations (customers) replied to'], REPLY),
  d('missedConversations', 'staff-chat', 'count', ['Bỏ lỡ', 'Missed'],
    ['Lượt chờ vẫn mở sau `responseSlaMinutes` phút làm việc; tính cho nhân viên trả lời sau cùng (`unknown` khi vẫn chưa ai trả lời)', 'Waits still open `responseSlaMinutes` working minutes after they opened, booked on the staff who finally replied (`unknown` while still open)'],
    { 'vi-VN': 'ngày và ca (`shifts`) mà thời hạn hết', en: 'the day and shift (`shifts`) in which that time ran out' }),
  d('missedByShift', 'staff-chat', 'map', ['Bỏ lỡ theo ca', 'Missed by shift'], ['`missedConversations` theo từng ca của shop (`other` ngoài mọi ca)', '`missedConversations` per shift of the shop (`other` outside every shift)'],
    { 'vi-VN': 'ngày và ca mà thời hạn hết', en: 'the day and shift in which that time ran out' }),
  d('slaMetRate', 'staff-chat', 'rate', ['Trả lời đúng hạn', 'Answered within SLA'],
    ['Lượt chờ được trả lời trong `responseSlaMinutes` phút làm việc / lượt chờ đã được trả lời; null khi không có', 'Waits closed within `responseSlaMinutes` working minutes / waits closed; null without closed waits'], WAIT_CLOSED),
  d('slaMetRateByShift', 'staff-chat', 'rateMap', ['Đúng hạn theo ca', 'Within SLA by shift'],
    ['`slaMetRate` theo ca mà thời gian làm việc của lượt chờ bắt đầu (ca của câu trả lời nếu trả lời trước giờ làm)', '`slaMetRate` per shift in which the wait’s working time began (the reply’s shift when it came before any working time)'], WAIT_CLOSED),
  // staff-sales rows
  d('ordersCreated', 'staff-sales', 'count', ['Đơn đã tạo', 'Orders created'], ['Đơn ghi tên nhân viên này (`staff_id`), mọi trạng thái', 'Orders naming that staff member (`staff_id`), every status'], ORDER_CREATED),
  d('orders', 'staff-sales', 'count', ['Đơn hàng', 'Orders'], ['Các đơn đó trừ đơn hủy', 'Those orders minus the cancelled ones'], ORDER_CREATED),
  d('revenue', 'staff-sales', 'money', ['Doanh thu', 'Revenue'], ['Giá trị các đơn không hủy của nhân viên', 'Value of that staff member’s non-cancelled orders'], ORDER_CREATED),
  d('grossProfit', 'staff-sales', 'moneyOrNull', ['Lợi nhuận gộp', 'Gross profit'], ['Doanh thu đó trừ giá vốn, trên các đơn đã biết giá vốn; null khi chưa đơn nào biết', 'That revenue minus cost of goods, over the orders whose cost is known; null when none is'], ORDER_CREATED),
  d('costCoverage', 'staff-sales', 'rate', ['Đơn đã có giá vốn', 'Cost coverage'], ['Đơn không hủy đã biết giá vốn / đơn không hủy của nhân viên; null khi không có đơn', 'Non-cancelled orders with a known cost / that staff member’s non-cancelled orders; null without orders'], ORDER_CREATED),
  d('customersCared', 'staff-sales', 'count', ['Khách chăm sóc', 'Customers cared'], ['Số khách khác nhau nhân viên đã trả lời', 'Distinct customers that staff member replied to'], REPLY),
  d('conversionRate', 'staff-sales', 'rate', ['Khách mua / khách chăm sóc', 'Buyers per customer cared'],
    ['Khách có đơn không hủy của nhân viên / khách nhân viên đã chăm sóc; null khi mẫu số bằng 0', 'Customers with a non-cancelled order by that staff member / customers they cared for; null when none'], RATIO_OF_RANGE),
  // ads rows (per adId; campaigns per campaignId)
  d('conversationsStarted', 'ads', 'count', ['Hội thoại bắt đầu', 'Conversations started'], ['Số lần khách vào hội thoại từ quảng cáo (referral)', 'Ad referrals: conversations that started from the ad'],
    { 'vi-VN': 'thời điểm của referral', en: 'the `at` of the referral' }),
  d('customersReached', 'ads', 'count', ['Khách tiếp cận', 'Customers reached'],
    ['Khách đã nhắn trong `attributionWindowDays` ngày sau một referral của quảng cáo', 'Customers who wrote within `attributionWindowDays` of an ad referral'], INBOUND),
  d('ordersCreated', 'ads', 'count', ['Đơn đã tạo', 'Orders created'],
    ['Đơn gắn với quảng cáo: `ad_id` của đơn, hoặc referral quảng cáo gần nhất của khách trong cửa sổ trước khi đặt', 'Orders attributed to the ad: the order’s `ad_id`, or the customer’s last ad referral within the window before the order'], ORDER_CREATED),
  d('orders', 'ads', 'count', ['Đơn hàng', 'Orders'], ['Các đơn đó trừ đơn hủy', 'Those orders minus the cancelled ones'], ORDER_CREATED),
  d('revenue', 'ads', 'money', ['Doanh thu', 'Revenue'], ['Giá trị các đơn không hủy gắn với quảng cáo', 'Value of the non-cancelled orders attributed to the ad'], ORDER_CREATED),
  d('spend', 'ads', 'money', ['Chi tiêu', 'Spend'], ['Tổng `ad.spend`', 'Sum of `ad.spend`'], { 'vi-VN': 'ngày của `ad.spend`', en: 'the day of the `ad.spend` event' }),
  d('roas', 'ads', 'rate', ['ROAS', 'ROAS'], ['`revenue / spend`; null khi chi tiêu bằng 0', '`revenue / spend`; null when spend is 0'], RATIO_OF_RANGE),
  d('costPerOrder', 'ads', 'moneyOrNull', ['Chi phí/đơn', 'Cost per order'], ['`spend / orders`; null khi không có đơn', '`spend / orders`; null without orders'], RATIO_OF_RANGE),
  d('costPerConversation', 'ads', 'moneyOrNull', ['Giá tin nhắn', 'Cost per conversation'], ['`spend / conversationsStarted` ("giá tin nhắn"); null khi không có hội thoại', '`spend / conversationsStarted` (Vietnamese sellers’ "giá tin nhắn"); null without conversations'], RATIO_OF_RANGE),
  // referral programme
  d('participants', 'referrals', 'count', ['Người tham gia', 'Participants'], ['Khách tham gia chương trình giới thiệu', 'Customers who joined the referral programme'], { 'vi-VN': 'thời điểm tham gia', en: 'the `at` of `referral.joined`' }),
  d('referred', 'referrals', 'count', ['Khách mới được giới thiệu', 'Referred'], ['Người tham gia có người giới thiệu', 'Participants who joined through someone’s referral'], { 'vi-VN': 'thời điểm tham gia', en: 'the `at` of `referral.joined`' }),
  d('sharers', 'referrals', 'count', ['Người chia sẻ', 'Sharers'], ['Người tham gia đã chia sẻ', 'Participants who shared'], { 'vi-VN': 'thời điểm chia sẻ', en: 'the `at` of `referral.shared`' }),
  d('shareRate', 'referrals', 'rate', ['Tỉ lệ chia sẻ', 'Share rate'], ['`sharers / participants`', '`sharers / participants`'], RATIO_OF_RANGE),
  d('referralOrders', 'referrals', 'count', ['Đơn có mã giới thiệu', 'Referral orders'], ['Đơn không hủy có mã giới thiệu', 'Non-cancelled orders carrying a referral code'], ORDER_CREATED),
  d('referralRevenue', 'referrals', 'money', ['Doanh thu giới thiệu', 'Referral revenue'], ['Giá trị các đơn đó', 'Value of those orders'], ORDER_CREATED),
];

/** The definitions of one group, in the order reports show them. */
export function metricsOf(group: MetricGroup): MetricDefinition[] {
  return METRICS.filter((m) => m.group === group);
}

/** The definition of `key` in `group`, or undefined. */
export function metricDefinition(group: MetricGroup, key: string): MetricDefinition | undefined {
  return METRICS.find((m) => m.group === group && m.key === key);
}

/**
 * Labels of the report fields that are not metrics: the keys that name a
 * row (date, staff, ad, shift…) and the shift totals' counts. The html page
 * shows these instead of the keys; JSON and CSV keep SPEC's field names.
 * A field with a definition shows it as a tooltip.
 */
export const FIELD_LABELS: Readonly<Record<string, { label: Text; definition?: Text }>> = {
  date: { label: { 'vi-VN': 'Ngày', en: 'Date' } },
  month: { label: { 'vi-VN': 'Tháng', en: 'Month' } },
  hour: { label: { 'vi-VN': 'Giờ', en: 'Hour' } },
  pageId: { label: { 'vi-VN': 'Trang', en: 'Page' } },
  channel: { label: { 'vi-VN': 'Kênh', en: 'Channel' } },
  staffId: { label: { 'vi-VN': 'Nhân viên', en: 'Staff' } },
  name: { label: { 'vi-VN': 'Nhân viên', en: 'Staff' } },
  adId: { label: { 'vi-VN': 'Quảng cáo', en: 'Ad' }, definition: { 'vi-VN': 'Tên quảng cáo khi đã biết, nếu không thì mã quảng cáo', en: 'The ad’s name when known, else its id' } },
  adName: {
    label: { 'vi-VN': 'Quảng cáo', en: 'Ad' },
    definition: { 'vi-VN': 'Tên quảng cáo từ `ad.spend`, hoặc tiêu đề từ referral; null khi chưa biết', en: 'The ad’s name from `ad.spend`, else its title from referrals; null when unknown' },
  },
  campaignId: { label: { 'vi-VN': 'Chiến dịch', en: 'Campaign' }, definition: { 'vi-VN': 'Tên chiến dịch khi đã biết, nếu không thì mã chiến dịch', en: 'The campaign’s name when known, else its id' } },
  campaignName: { label: { 'vi-VN': 'Tên chiến dịch', en: 'Campaign name' } },
  shift: { label: { 'vi-VN': 'Ca', en: 'Shift' } },
  waitsClosed: {
    label: { 'vi-VN': 'Lượt chờ đã trả lời', en: 'Waits answered' },
    definition: { 'vi-VN': 'Lượt chờ đã được trả lời, tính theo ca mà thời gian làm việc của lượt chờ bắt đầu', en: 'Waits closed by a reply, in the shift where their working time began' },
  },
  withinSla: {
    label: { 'vi-VN': 'Lượt đúng hạn', en: 'Answered in time' },
    definition: { 'vi-VN': 'Trong số đó, lượt được trả lời trong `responseSlaMinutes` phút làm việc', en: 'Of those, waits answered within `responseSlaMinutes` working minutes' },
  },
};

/** A key as words when nothing labels it: `waitsClosed` → "Waits closed", `ad_id` → "Ad id". */
export function readableKey(key: string): string {
  const words = key.replace(/([a-z\d])([A-Z])/g, '$1 $2').replace(/[_.-]+/g, ' ').trim().toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : key;
}

/** `GET /v1/metrics`: every definition in both locales. */
export function metricsDocument() {
  return { locales: ['vi-VN', 'en'] as Locale[], metrics: METRICS };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README's metrics table (English), generated from METRICS. */
export function metricsMarkdownTable(): string {
  const lines = ['| report | key | definition | time basis |', '| --- | --- | --- | --- |'];
  for (const m of METRICS) lines.push(`| ${m.group} | \`${m.key}\` | ${cell(m.definition.en)} | ${cell(m.timeBasis.en)} |`);
  return lines.join('\n');
}

export const README_BEGIN = '<!-- metrics-table:begin (generated from lib/reports/metrics.ts by `npm run docs:metrics`) -->';
export const README_END = '<!-- metrics-table:end -->';

/** `readme` with the text between the markers replaced by the generated table. */
export function withMetricsTable(readme: string): string {
  const a = readme.indexOf(README_BEGIN);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) throw new Error('README has no metrics table markers');
  return `${readme.slice(0, a + README_BEGIN.length)}\n${metricsMarkdownTable()}\n${readme.slice(b)}`;
}

/** A JSON-schema description for an OpenAPI property: the definition and its time basis (en). */
export function metricDescription(m: MetricDefinition): string {
  return `${m.definition.en}. Time basis: ${m.timeBasis.en}.`;
}
