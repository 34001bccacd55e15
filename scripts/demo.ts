/**
 * `npm run demo`: a month of realistic traffic for three shops, posted as
 * signed webhooks to the running local system (`npm start`), then the
 * digests. Scale with DEMO_SCALE (default 0.02; 1 = the largest shop at
 * 10,000 conversations and 5,000 orders a day).
 *
 *   DEMO_URL       else http://127.0.0.1:$PORT, else the URL npm start wrote to .data/local-url, else port 3000
 *   DEMO_DAYS      30
 *   DEMO_SCALE     0.02
 *   DEMO_LAST_DAY  today (Asia/Ho_Chi_Minh); the last day of traffic
 *
 * Livestreams (Facebook pages, on each shop's livestream weekdays, 20:00–
 * 21:30) bring Page comments, most of them answered by the page.
 *
 * And SLA alerts live (DEMO_ALERTS=0 skips them): a shop whose alerts go to
 * a webhook receiver this script runs (it logs what it receives, signature
 * checked) and to an email in the outbox; three customers wait — one past
 * the warning, one past the SLA, one answered just before its warning. They
 * are posted first, so their timers run while the shops' traffic is posted;
 * at the end the script waits (seconds: `npm start` groups alerts per 10 s)
 * for the warning and the breach, and shows the third sent nothing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import path from 'node:path';
import { LOCAL_DEFAULTS } from './local/runtime.ts';
import { localBaseUrl } from './local/local-url.ts';
import { addDays } from '#lib/time/zone.ts';

const { url: URL_BASE, from: URL_FROM } = localBaseUrl(process.env, path.resolve('.data'));
const DAYS = Number(process.env.DEMO_DAYS ?? 30);
const SCALE = Number(process.env.DEMO_SCALE ?? 0.02);
const secret = (k: string) => process.env[k] ?? LOCAL_DEFAULTS[k]!;

/** Deterministic pseudo-random numbers, so two runs post the same data (and the second one only duplicates). */
let seed = 20261123;
function rand(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const chance = (p: number) => rand() < p;

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ'];
const MIDDLE = ['Thị', 'Văn', 'Ngọc', 'Minh', 'Thanh', 'Đức', 'Thu', 'Hồng'];
const GIVEN = ['Lan', 'Hương', 'Minh', 'Tuấn', 'Trang', 'Hà', 'Linh', 'Nam', 'Dũng', 'Mai', 'Phương', 'Quân', 'Thảo', 'Vy'];
const vnName = () => `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(GIVEN)}`;

/** Share of a day's chat falling in each local hour: quiet nights, lunch bump, evening peak. */
const HOURLY = [0.5, 0.3, 0.2, 0.1, 0.1, 0.2, 0.6, 1.5, 3, 4, 4.5, 5, 5.5, 4.5, 4, 4, 4.5, 5, 6, 8, 10, 10, 8, 3.5];
const HOURLY_SUM = HOURLY.reduce((a, b) => a + b, 0);

type ShopPlan = {
  shopId: string;
  name: string;
  conversationsPerDay: number;
  ordersPerConversation: number;
  pages: Array<{ pageId: string; channel: 'facebook' | 'instagram' | 'zalo'; name: string }>;
  staff: Array<{ staffId: string; name: string; zaloId?: string }>;
  livestreamWeekdays: number[];
  /** `adName`/`campaignName` go with `ad.spend`; `adTitle` with the Meta referral (what a seller sees where the ads account gives no name). */
  ads: Array<{ adId: string; campaignId: string; dailySpend: number; adName?: string; campaignName?: string; adTitle?: string }>;
  referral: boolean;
};

const SHOPS: ShopPlan[] = [
  {
    shopId: 'thoi-trang-hoa-mai',
    name: 'Thời trang Hoa Mai',
    conversationsPerDay: 10_000,
    ordersPerConversation: 0.5,
    pages: [
      { pageId: '101000000000001', channel: 'facebook', name: 'Hoa Mai Fashion' },
      { pageId: '17841400000000001', channel: 'instagram', name: 'hoamai.fashion' },
      { pageId: '4300000000000000001', channel: 'zalo', name: 'Hoa Mai Zalo OA' },
    ],
    staff: [
      { staffId: 'lan', name: 'Nguyễn Thị Lan', zaloId: 'zs-lan' },
      { staffId: 'tuan', name: 'Trần Minh Tuấn', zaloId: 'zs-tuan' },
      { staffId: 'huong', name: 'Lê Thu Hương' },
      { staffId: 'nam', name: 'Phạm Văn Nam' },
    ],
    livestreamWeekdays: [2, 5, 7],
    ads: [
      { adId: '23850000000000001', campaignId: 'camp-tet-sale', campaignName: 'Sale Tết', adName: 'Áo dài Tết – video 15s', adTitle: 'Áo dài Tết giảm 30%', dailySpend: 4_500_000 },
      { adId: '23850000000000002', campaignId: 'camp-tet-sale', campaignName: 'Sale Tết', adName: 'Áo dài Tết – ảnh carousel', dailySpend: 2_000_000 },
      { adId: '23850000000000003', campaignId: 'camp-livestream', adTitle: 'Livestream tối thứ Sáu', dailySpend: 1_200_000 },
    ],
    referral: true,
  },
  {
    shopId: 'my-pham-thao-vy',
    name: 'Mỹ phẩm Thảo Vy',
    conversationsPerDay: 1_500,
    ordersPerConversation: 0.3,
    pages: [{ pageId: '101000000000002', channel: 'facebook', name: 'Thảo Vy Cosmetics' }],
    staff: [
      { staffId: 'vy', name: 'Võ Thảo Vy' },
      { staffId: 'quan', name: 'Đỗ Minh Quân' },
    ],
    livestreamWeekdays: [6],
    ads: [{ adId: '23850000000000010', campaignId: 'camp-serum', dailySpend: 900_000 }],
    referral: false,
  },
  {
    shopId: 'do-go-phuong-nam',
    name: 'Đồ gỗ Phương Nam',
    conversationsPerDay: 250,
    ordersPerConversation: 0.12,
    pages: [
      { pageId: '101000000000003', channel: 'facebook', name: 'Đồ gỗ Phương Nam' },
      { pageId: '4300000000000000003', channel: 'zalo', name: 'Phương Nam OA' },
    ],
    staff: [{ staffId: 'dung', name: 'Bùi Đức Dũng', zaloId: 'zs-dung' }],
    livestreamWeekdays: [],
    ads: [],
    referral: false,
  },
];

async function call(method: string, path: string, body: string | undefined, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(`${URL_BASE}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  // a shop past its per-second limit: wait as told, then send again (what a well-behaved client does)
  if (res.status === 429) {
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
    return call(method, path, body, headers);
  }
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

const admin = { authorization: `Bearer ${secret('ADMIN_TOKEN')}` };
let posted = 0;
const apiKeys = new Map<string, string>();
const pending: Array<Promise<unknown>> = [];
async function limited(p: () => Promise<unknown>) {
  pending.push(p());
  if (pending.length >= 16) await Promise.all(pending.splice(0));
}

async function postMeta(body: object) {
  const raw = JSON.stringify(body);
  const sig = createHmac('sha256', secret('META_APP_SECRET')).update(raw).digest('hex');
  posted++;
  const res = await call('POST', '/webhooks/meta', raw, { 'x-hub-signature-256': `sha256=${sig}` });
  // Meta redelivers now and then: about 2 % of webhooks arrive twice
  if (chance(0.02)) {
    posted++;
    await call('POST', '/webhooks/meta', raw, { 'x-hub-signature-256': `sha256=${sig}` });
  }
  return res;
}

function postZalo(body: { timestamp: string; app_id: string; [k: string]: unknown }) {
  const raw = JSON.stringify(body);
  const mac = createHash('sha256').update(`${secret('ZALO_APP_ID')}${raw}${body.timestamp}${secret('ZALO_OA_SECRET_KEY')}`).digest('hex');
  posted++;
  return call('POST', '/webhooks/zalo', raw, { 'x-zevent-signature': `mac=${mac}` });
}

/** Each demo shop's Haravan webhook secret (set through the admin API in runShop, as a shop owner would paste it). */
const orderSecret = (shopId: string) => `demo-haravan-secret-${shopId}`;

function postOrder(shopId: string, topic: string, order: object) {
  const raw = JSON.stringify(order);
  const sig = createHmac('sha256', orderSecret(shopId)).update(raw).digest('base64');
  posted++;
  return call('POST', `/webhooks/orders/haravan/${shopId}`, raw, { 'X-Haravan-Hmacsha256': sig, 'X-Haravan-Topic': topic });
}

const iso = (ms: number) => new Date(ms).toISOString();
/** ms of a local (UTC+07:00) wall-clock time. */
const vnTime = (day: string, hour: number, minute: number, second = 0) => Date.parse(`${day}T00:00:00+07:00`) + ((hour * 60 + minute) * 60 + second) * 1000;

async function runShop(plan: ShopPlan, today: string) {
  await call('PUT', `/v1/admin/shops/${plan.shopId}`, JSON.stringify({
    name: plan.name,
    timezone: 'Asia/Ho_Chi_Minh',
    currency: 'VND',
    locale: 'vi-VN',
    pages: plan.pages,
    staff: plan.staff.map((s) => ({ staffId: s.staffId, name: s.name, accounts: s.zaloId ? [{ channel: 'zalo', id: s.zaloId }] : [] })),
    automationAppIds: ['263902037430900'],
    recipients: [
      { email: `chu-shop@${plan.shopId}.vn`, daily: true, weekly: true },
      { email: `manager@${plan.shopId}.vn`, locale: 'en', daily: true, weekly: true },
    ],
  }), admin);
  await call('PUT', `/v1/admin/shops/${plan.shopId}/order-webhooks/haravan`, JSON.stringify({ secret: orderSecret(plan.shopId) }), admin);
  const { apiKey } = (await call('POST', `/v1/admin/shops/${plan.shopId}/api-keys`, undefined, admin)) as { apiKey: string };
  apiKeys.set(plan.shopId, apiKey);
  const shopEvents = (events: object[]) => call('POST', '/v1/events', JSON.stringify({ events }), { authorization: `Bearer ${apiKey}` });

  const perDay = Math.max(5, Math.round(plan.conversationsPerDay * SCALE));
  let customerSeq = 0;
  const returning: Array<{ page: ShopPlan['pages'][number]; id: string; phone: string }> = [];
  // the last DAYS days including today (events later than now are not sent)
  for (let d = DAYS - 1; d >= 0; d--) {
    const day = addDays(today, -d);
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
    const live = plan.livestreamWeekdays.includes(weekday);
    const n = Math.round(perDay * (live ? 1.6 : 1) * (0.85 + rand() * 0.3));
    const spendEvents: object[] = plan.ads.map((ad) => ({
      id: `spend-${ad.adId}-${day}`, kind: 'ad.spend', at: `${day}T23:00:00+07:00`, adId: ad.adId, campaignId: ad.campaignId,
      ...(ad.adName ? { adName: ad.adName } : {}), ...(ad.campaignName ? { campaignName: ad.campaignName } : {}), amount: Math.round(ad.dailySpend * SCALE * (0.8 + rand() * 0.4) / 1000) * 1000,
    }));
    if (spendEvents.length) await limited(() => shopEvents(spendEvents));
    for (let i = 0; i < n; i++) {
      const page = pick(plan.pages);
      const isNew = returning.length < 20 || chance(0.7);
      const cust = isNew ? { page, id: `${page.channel === 'zalo' ? 'zu' : 'psid'}-${plan.shopId.slice(0, 4)}-${++customerSeq}`, phone: `09${String(Math.floor(rand() * 1e8)).padStart(8, '0')}` } : pick(returning.filter((r) => r.page === page).concat(returning).slice(0, 50));
      if (isNew) returning.push(cust);
      // time of the first message: livestream evenings pile comments into 20:00–21:30
      let hour = 0;
      let r = rand() * HOURLY_SUM;
      while (r > HOURLY[hour]! && hour < 23) r -= HOURLY[hour++]!;
      const inStream = live && page.channel === 'facebook' && chance(0.5);
      if (inStream) hour = chance(0.6) ? 20 : 21;
      const t0 = vnTime(day, hour, Math.floor(rand() * (inStream && hour === 21 ? 30 : 60)), Math.floor(rand() * 60));
      if (t0 + 3 * 3_600_000 > Date.now()) continue; // today: only conversations that could have happened by now
      const ad = plan.ads.length && !inStream && chance(0.25) ? pick(plan.ads) : undefined;
      const staff = pick(plan.staff);
      // whole milliseconds: platforms send integer epoch timestamps (Zalo refuses anything else)
      const replyDelay = Math.round((chance(0.15) ? 20 + rand() * 90 : 0.5 + rand() * 9) * 60_000);
      const automated = chance(0.1);
      const msgs = 1 + Math.floor(rand() * 4);
      if (page.channel === 'zalo') {
        for (let k = 0; k < msgs; k++) {
          const t = t0 + k * 40_000;
          await limited(() => postZalo({ app_id: secret('ZALO_APP_ID'), event_name: 'user_send_text', timestamp: String(t), sender: { id: cust.id }, recipient: { id: page.pageId }, message: { msg_id: `zm-${cust.id}-${t}`, text: k === 1 ? `sđt em ${cust.phone}` : 'Shop ơi còn hàng không ạ?' } }));
        }
        const tr = t0 + replyDelay;
        await limited(() => postZalo({ app_id: secret('ZALO_APP_ID'), event_name: 'oa_send_text', timestamp: String(tr), sender: { id: page.pageId, admin_id: staff.zaloId ?? '' }, recipient: { id: cust.id }, message: { msg_id: `zr-${cust.id}-${tr}`, text: 'Dạ còn ạ' } }));
      } else if (inStream) {
        const comments = 1 + Math.floor(rand() * 3);
        const postId = `${page.pageId}_live${day}`;
        let last = '';
        for (let k = 0; k < comments; k++) {
          const t = t0 + k * 25_000;
          const commentId = (last = `${page.pageId}_${cust.id}_${t}`);
          await limited(() => postMeta({ object: 'page', entry: [{ id: page.pageId, time: t, changes: [{ field: 'feed', value: { item: 'comment', verb: 'add', comment_id: commentId, post_id: postId, from: { id: cust.id, name: vnName() }, message: 'chốt đơn size M', created_time: Math.floor(t / 1000) } }] }] }));
        }
        // The page answers most commenters under their last comment, as Meta
        // delivers it: a feed comment from the page itself whose parent_id is
        // the customer's comment. Meta names no staff member for it, so these
        // replies count for `unknown` staff. During the show moderators keep
        // up within minutes; some wait past the SLA, and about one commenter
        // in seven gets no answer at all (missed).
        if (chance(0.85)) {
          const tr = t0 + (comments - 1) * 25_000 + Math.round((chance(0.1) ? 16 + rand() * 30 : 0.2 + rand() * 4) * 60_000);
          await limited(() => postMeta({ object: 'page', entry: [{ id: page.pageId, time: tr, changes: [{ field: 'feed', value: { item: 'comment', verb: 'add', comment_id: `${page.pageId}_reply_${cust.id}_${tr}`, parent_id: last, post_id: postId, from: { id: page.pageId, name: page.name }, message: 'Dạ shop inbox chị ạ', created_time: Math.floor(tr / 1000) } }] }] }));
        }
      } else {
        const object = page.channel === 'instagram' ? 'instagram' : 'page';
        for (let k = 0; k < msgs; k++) {
          const t = t0 + k * 45_000;
          const referral = k === 0 && ad ? { referral: { source: 'ADS', type: 'OPEN_THREAD', ad_id: ad.adId } } : {};
          await limited(() => postMeta({ object, entry: [{ id: page.pageId, time: t, messaging: [{ sender: { id: cust.id }, recipient: { id: page.pageId }, timestamp: t, message: { mid: `m_${cust.id}_${t}`, text: k === 1 ? `số em là ${cust.phone}` : 'Tư vấn giúp em mẫu này' , ...(k === 0 && ad ? { referral: { source: 'ADS', type: 'OPEN_THREAD', ad_id: ad.adId, ...(ad.adTitle ? { ads_context_data: { ad_title: ad.adTitle } } : {}) } } : {}) }, ...(k === 0 && ad ? {} : referral) }] }] }));
        }
        const tr = t0 + replyDelay;
        const metadata = automated ? 'auto:welcome' : `staff:${staff.staffId}`;
        await limited(() => postMeta({ object, entry: [{ id: page.pageId, time: tr, messaging: [{ sender: { id: page.pageId }, recipient: { id: cust.id }, timestamp: tr, message: { is_echo: true, mid: `m_echo_${cust.id}_${tr}`, metadata, app_id: 263902037430900, text: 'Dạ shop chào chị ạ' } }] }] }));
      }
      if (chance(plan.ordersPerConversation)) {
        const orderId = 100000 + customerSeq * 10 + i;
        const lines = 1 + Math.floor(rand() * 3);
        const items = Array.from({ length: lines }, () => {
          const price = (99 + Math.floor(rand() * 900)) * 1000;
          return { quantity: 1 + Math.floor(rand() * 2), price: String(price), cost: String(Math.round(price * 0.55)) };
        });
        const total = items.reduce((a, l) => a + l.quantity * Number(l.price), 0) + 30000;
        const created = t0 + replyDelay + 10 * 60_000;
        const order = {
          id: orderId, created_at: iso(created), updated_at: iso(created), total_price: `${total}.00`, currency: 'VND', line_items: items,
          note_attributes: [{ name: 'page_id', value: page.pageId }, { name: 'customer_id', value: cust.id }, { name: 'staff_id', value: staff.staffId }, ...(plan.referral && chance(0.1) ? [{ name: 'referral_code', value: `REF${customerSeq % 97}` }] : [])],
          phone: cust.phone, cancelled_at: null, fulfillment_status: null,
        };
        await limited(() => postOrder(plan.shopId, 'orders/create', order));
        if (chance(0.03)) await limited(() => postOrder(plan.shopId, 'orders/create', order)); // duplicate delivery
        if (chance(0.1)) {
          const cancelled = created + (1 + rand() * 48) * 3_600_000;
          await limited(() => postOrder(plan.shopId, 'orders/cancelled', { ...order, cancelled_at: iso(cancelled), updated_at: iso(cancelled) }));
        } else if (chance(0.7) && created + 3 * 86_400_000 < Date.now()) {
          // handed to the carrier, then delivered: only the carrier's delivered status counts as delivered
          const fulfilled = created + (1 + rand() * 3) * 86_400_000;
          const carrier = { id: orderId, status: 'success', tracking_company: 'Giao Hàng Nhanh', carrier_status_code: 'delivered', delivered_date: iso(fulfilled), updated_at: iso(fulfilled) };
          await limited(() => postOrder(plan.shopId, 'orders/updated', { ...order, fulfillment_status: 'fulfilled', fulfillments: [carrier], updated_at: iso(fulfilled) }));
        }
      }
      if (plan.referral && page.channel !== 'zalo' && chance(0.03)) {
        const t = t0 + 3_600_000;
        const referrer = returning.length > 5 && chance(0.5) ? pick(returning).id : undefined;
        await limited(() => shopEvents([
          { id: `ref-join-${cust.id}`, kind: 'referral.joined', at: iso(t), pageId: page.pageId, customerId: cust.id, code: `REF${customerSeq % 97}`, ...(referrer && referrer !== cust.id ? { referredBy: referrer } : {}) },
          ...(chance(0.4) ? [{ id: `ref-share-${cust.id}-${day}`, kind: 'referral.shared', at: iso(t + 600_000), pageId: page.pageId, customerId: cust.id }] : []),
        ]));
      }
    }
    // the anomaly the daily digest's "What changed" reports: the evening before the digests, a
    // flash-sale post on the first shop's Facebook page brings customers nobody answers for
    // 40–90 minutes (missed conversations, evening shift, that page)
    if (plan === SHOPS[0] && day === addDays(today, -1)) await eveningBacklog(plan, day, Math.round(perDay * 0.35));
    process.stdout.write(`\r${plan.name}: ${day} (${posted} webhooks posted)   `);
  }
  await Promise.all(pending.splice(0));
  process.stdout.write('\n');
}

/** `count` customers writing to the shop's first page between 19:00 and 21:30 who wait 40–90 minutes for a reply. */
async function eveningBacklog(plan: ShopPlan, day: string, count: number) {
  const page = plan.pages[0]!;
  const staff = plan.staff[1] ?? plan.staff[0]!;
  for (let i = 0; i < count; i++) {
    const cust = `psid-${plan.shopId.slice(0, 4)}-sale-${day}-${i}`;
    // 19:00–21:30, so that each wait runs out its 15 working minutes before closing time
    const t0 = vnTime(day, 19, Math.floor(rand() * 150), Math.floor(rand() * 60));
    const tr = t0 + Math.round((40 + rand() * 50) * 60_000);
    if (tr > Date.now()) continue;
    await limited(() => postMeta({ object: 'page', entry: [{ id: page.pageId, time: t0, messaging: [{ sender: { id: cust }, recipient: { id: page.pageId }, timestamp: t0, message: { mid: `m_${cust}_${t0}`, text: 'Mẫu flash sale còn không shop?' } }] }] }));
    await limited(() => postMeta({ object: 'page', entry: [{ id: page.pageId, time: tr, messaging: [{ sender: { id: page.pageId }, recipient: { id: cust }, timestamp: tr, message: { is_echo: true, mid: `m_echo_${cust}_${tr}`, metadata: `staff:${staff.staffId}`, app_id: 263902037430900, text: 'Dạ còn ạ' } }] }] }));
  }
}

/** The last day of traffic: DEMO_LAST_DAY (YYYY-MM-DD, at most LATE_EVENT_DAYS = 30 back, older events are refused), else today in Vietnam. */
const today = process.env.DEMO_LAST_DAY ?? new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
const started = Date.now();
try {
  await call('GET', '/healthz', undefined);
} catch (err) {
  console.error(`No chatpulse answers at ${URL_BASE} (from ${URL_FROM}): ${(err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message}.
Start it with npm start in this folder (it writes its URL to .data/local-url), or set DEMO_URL.`);
  process.exit(1);
}
const alerts = process.env.DEMO_ALERTS !== '0' ? await startAlertsDemo() : undefined;
for (const plan of SHOPS) await runShop(plan, today);
console.log(`posted ${posted} webhooks in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for ingestion …`);
// wait for the ingest queue to drain (asking the local runtime not to wait out its 20 s batching window), then run
// yesterday's daily and last week's weekly digests
const drained = call('POST', '/_local/drain', undefined).catch(() => undefined);
for (let last = -1; ; ) {
  const health = (await call('GET', '/healthz', undefined)) as { queued?: { ingest: number } };
  const left = health.queued?.ingest ?? 0;
  if (left === 0) break;
  if (left !== last) process.stdout.write(`\r${left} messages still to ingest …   `);
  last = left;
  await new Promise((r) => setTimeout(r, 1000));
}
await drained;
process.stdout.write('\n');
const yesterday = addDays(today, -1);
for (const plan of SHOPS) {
  await call('POST', '/v1/admin/digests/run', JSON.stringify({ shopId: plan.shopId, period: 'daily', date: yesterday }), admin);
  await call('POST', '/v1/admin/digests/run', JSON.stringify({ shopId: plan.shopId, period: 'weekly', date: addDays(today, -7) }), admin);
}
await alerts?.finish();

/**
 * SLA alerts, live: a warning, a breach, and a wait answered just in time
 * that sends nothing. Starts them (returns once the waits are posted and the
 * third is answered); `finish` waits for the alerts and prints the outcome.
 */
async function startAlertsDemo() {
  const hookSecret = 'demo-webhook-secret-0123456789';
  const received: Array<{ threshold: string; customers: string[] }> = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['x-chatpulse-signature'] ?? ''));
      const ok = !!m && timingSafeEqual(createHmac('sha256', hookSecret).update(`${m[1]}.${raw}`).digest(), Buffer.from(m[2]!, 'hex'));
      const body = JSON.parse(raw) as { threshold: string; waits: Array<{ customerId: string; workingMinutesWaited: number }> };
      received.push({ threshold: body.threshold, customers: body.waits.map((w) => w.customerId) });
      console.log(`  webhook receiver: ${body.threshold} for ${body.waits.map((w) => `${w.customerId} (${w.workingMinutesWaited} min)`).join(', ')} · signature ${ok ? 'valid' : 'INVALID'}`);
      res.writeHead(ok ? 204 : 401).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const hook = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/chatpulse-alerts`;
  const shopId = 'live-demo';
  const pageId = '101000000000099';
  await call('PUT', `/v1/admin/shops/${shopId}`, JSON.stringify({
    name: 'Quầy livestream', timezone: 'Asia/Ho_Chi_Minh', currency: 'VND', locale: 'vi-VN',
    // open all day, so the demo shows alerts whenever it runs
    workingHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '24:00' }],
    responseSlaMinutes: 15,
    pages: [{ pageId, channel: 'facebook', name: 'Quầy livestream' }],
    staff: [{ staffId: 'lan', name: 'Nguyễn Thị Lan' }],
    alerts: { warnBeforeMinutes: 5, channels: [{ type: 'webhook', url: hook, secret: hookSecret }, { type: 'email', to: `truong-ca@${shopId}.vn` }] },
  }), admin);
  const { apiKey } = (await call('POST', `/v1/admin/shops/${shopId}/api-keys`, undefined, admin)) as { apiKey: string };
  const now = Date.now();
  const run = Math.floor(now / 1000).toString(36);
  const msg = (customerId: string, ago: number) => ({ id: `live-${run}-${customerId}`, kind: 'message.received', at: iso(now - ago), pageId, customerId });
  const [warned, breached, justInTime] = [`khach-canh-bao-${run}`, `khach-qua-han-${run}`, `khach-kip-luc-${run}`];
  // the third reaches its warning (10 working minutes) 8 s from now: answered before that, its timer finds the wait closed
  const margin = 8_000;
  console.log(`SLA alerts (SLA 15 working minutes, warning 5 minutes before): ${warned} has waited 10.5 min, ${breached} 15.5 min, ${justInTime} ${((600_000 - margin) / 60_000).toFixed(1)} min …`);
  await call('POST', '/v1/events', JSON.stringify({ events: [msg(warned, 630_000), msg(breached, 930_000), msg(justInTime, 600_000 - margin)] }), { authorization: `Bearer ${apiKey}` });
  await call('POST', '/_local/drain', undefined);
  await call('POST', '/v1/events', JSON.stringify({ events: [{ id: `live-${run}-reply`, kind: 'reply.sent', at: iso(Date.now()), pageId, customerId: justInTime, via: 'message', automated: false, staffId: 'lan' }] }), { authorization: `Bearer ${apiKey}` });
  await call('POST', '/_local/drain', undefined);
  console.log(`  ${justInTime} answered by Lan ${Math.round((now + margin - Date.now()) / 1000)} s before its warning; the alerts go out while the shops' traffic is posted …`);
  const finish = async () => {
    // anything the third could have raised would be sent within a grouping window (plus 2 s of grace) of its warning
    const window = Number(process.env.ALERT_GROUP_SECONDS ?? LOCAL_DEFAULTS.ALERT_GROUP_SECONDS) * 1000;
    const quietAfter = now + margin + window + 3_000;
    const deadline = Date.now() + 150_000;
    const sent = (threshold: string, customer: string) => received.some((r) => r.threshold === threshold && r.customers.includes(customer));
    if (!(sent('warning', warned) && sent('breach', breached) && Date.now() > quietAfter)) console.log('waiting for the SLA alerts …');
    while (Date.now() < deadline && !(sent('warning', warned) && sent('breach', breached) && Date.now() > quietAfter)) await new Promise((r) => setTimeout(r, 500));
    const all = received.flatMap((r) => r.customers);
    console.log(`  warning sent: ${sent('warning', warned) ? 'yes' : 'NO'}; breach sent: ${sent('breach', breached) ? 'yes' : 'NO'}; ${justInTime}: ${all.includes(justInTime) ? 'ALERTED (wrong)' : 'nothing sent'}`);
    const waiting = (await call('GET', `/v1/shops/${shopId}/waiting`, undefined, { authorization: `Bearer ${apiKey}` })) as { waits: Array<{ customerId: string; workingMinutesWaited: number; minutesLeft: number }> };
    console.log(`  still waiting: ${waiting.waits.map((w) => `${w.customerId} ${w.workingMinutesWaited} min (${w.minutesLeft} left)`).join(', ')}`);
    console.log(`  delivery status: curl -H "Authorization: Bearer ${secret('ADMIN_TOKEN')}" ${URL_BASE}/v1/admin/shops/${shopId}/alerts (the email alerts are in ./outbox)`);
    await new Promise<void>((r) => receiver.close(() => r()));
  };
  return { finish };
}

console.log(`Digests queued. Open them in ./outbox (the .html files open in any browser).
Reports, e.g.:
  curl -H 'Authorization: Bearer ${apiKeys.get(SHOPS[0]!.shopId)}' '${URL_BASE}/v1/shops/${SHOPS[0]!.shopId}/reports/overview?from=${addDays(today, -7)}&to=${yesterday}'`);
