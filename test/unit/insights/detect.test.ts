import { describe, expect, it } from 'vitest';
import { detectInsights, MAX_INSIGHTS } from '#lib/insights/detect.ts';
import { insightSentence } from '#lib/insights/sentence.ts';
import { mad, median, usualRange, isUnusual } from '#lib/insights/usual.ts';
import { medianFromHistogram } from '#lib/insights/figures.ts';
import { ctx, fourUnusual, history, LIVE, ordinary, ZALO } from '#test/support/fixtures/insights-history.ts';

/**
 * Hand-made histories (test/support/fixtures/insights-history.ts): four ordinary
 * comparison days and "today". Each test changes one thing on one place and
 * checks the one insight it must give, its place and its sentence in both
 * languages. Usual values in the comments are medians worked out by hand
 * from the wiggles 0, 2, −1, 1 of the four comparison days.
 */
const en = (i: Parameters<typeof insightSentence>[0]) => insightSentence(i, 'VND', 'en');
const vi = (i: Parameters<typeof insightSentence>[0]) => insightSentence(i, 'VND', 'vi-VN');

describe('usual range', () => {
  it('median and MAD ignore one livestream among four values', () => {
    expect(median([100, 110, 105, 400])).toBe(107.5);
    expect(mad([100, 110, 105, 400])).toBe(5); // |dev| 7.5, 2.5, 2.5, 292.5 → median 5
    const noise = () => ({ counting: 0, relative: 0, minChange: 0, minRelative: 0 });
    const r = usualRange([100, 110, 105, 400], noise)!;
    expect(r.usual).toBe(107.5);
    // 1.4826 × MAD, widened by √(1 + π/(2·4)) for the median's own error
    expect(r.spread).toBeCloseTo(5 * 1.4826 * Math.sqrt(1 + Math.PI / 8), 6);
    expect(isUnusual(120, r, noise())).toBe(false); // 120 < 107.5 + 3 × 8.74
    expect(isUnusual(60, r, noise())).toBe(true);
  });

  it('three equal values do not make every change unusual: the noise floor holds', () => {
    const noise = (u: number) => ({ counting: Math.sqrt(u), relative: 0.15, minChange: 5, minRelative: 0.3 });
    const r = usualRange([40, 40, 40, 41], noise)!;
    expect(r.spread).toBeCloseTo(Math.sqrt(40) * Math.sqrt(1 + Math.PI / 8), 9); // max(1.4826 × MAD 0, √40 = 6.32…, 0.15 × 40 = 6) → √40, widened
    expect(isUnusual(52, r, noise(40))).toBe(false);
  });

  it('a positive figure\'s range is skewed (gamma, Wilson–Hilferty): the lower bound stays above zero, the upper one further out', () => {
    const noise = () => ({ counting: 10, relative: 0, minChange: 0, minRelative: 0 });
    // spread = 10 × √(1 + π/8) = 11.8013, c = 0.118013: 100 × (1 − c²/9 ∓ c)³ = 68.249…, 139.167… (normal: 64.596…, 135.404…)
    const r = usualRange([100, 100, 100, 100], noise, 'skewed')!;
    expect(r.low).toBeCloseTo(68.2494, 3);
    expect(r.high).toBeCloseTo(139.1668, 3);
    const n = usualRange([100, 100, 100, 100], noise)!;
    expect([n.low, n.high].map((x) => Math.round(x * 1000) / 1000)).toEqual([64.596, 135.404]);
    // few events: a symmetric range reaches below zero, the skewed one does not (spread 60 × 1.18: c = 0.708)
    const few = () => ({ counting: 60, relative: 0, minChange: 0, minRelative: 0 });
    expect(usualRange([100, 100, 100, 100], few)!.low).toBeLessThan(0);
    expect(usualRange([100, 100, 100, 100], few, 'skewed')!.low).toBeCloseTo(100 * (1 - 0.708076 ** 2 / 9 - 0.708076) ** 3, 2);
  });

  it('needs three comparison periods with the figure', () => {
    expect(usualRange([1, null, 2, null], () => ({ counting: 0, relative: 0, minChange: 0, minRelative: 0 }))).toBeNull();
  });

  it('median response time from the histogram: the bucket of the middle wait, interpolated', () => {
    // 60 waits in (30,45], 30 in (45,60], 50 in (60,90]: the 70th wait is the 10th of 30 in (45,60] → 45 + 15 × 10/30 = 50
    const counts = Array.from({ length: 27 }, () => 0);
    counts[3] = 60;
    counts[4] = 30;
    counts[5] = 50;
    expect(medianFromHistogram(counts)).toBe(50);
  });
});

describe('insights from hand-made histories', () => {
  it('an ordinary day says nothing', () => {
    const { now, before } = history();
    expect(detectInsights(now, before, ctx)).toEqual([]);
  });

  it('a livestream among the comparison days does not make an ordinary day look low', () => {
    const livestream = ordinary(2, (s) => {
      s.pages[LIVE] = { reach: 2000, orders: 400, cancelled: 30, revenue: 400 * 250_000 };
      s.staff[LIVE]!.lan!.missed = { evening: 60 };
    });
    expect(detectInsights(ordinary(-2), [ordinary(0), livestream, ordinary(-1), ordinary(1)], ctx)).toEqual([]);
  });

  it('missed conversations: the shift, and the page inside it', () => {
    // usually 4 a day (2 in the evening); today 25 + 9 in the evening on the livestream page, 36 in all
    const { now, before } = history((w) =>
      ordinary(w, (s) => {
        s.staff[LIVE]!.lan!.missed = { morning: 1, evening: 25 };
        s.staff[LIVE]!.minh!.missed = { evening: 9 };
      }),
    );
    const [i, ...rest] = detectInsights(now, before, ctx);
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ figure: 'missedConversations', direction: 'up', worse: true, value: 36, usual: 4 });
    expect(i!.place).toMatchObject({ dimension: 'shift', id: 'evening', value: 34, usual: 2 });
    expect(i!.also).toMatchObject({ dimension: 'page', id: LIVE, name: 'Hoa Mai Livestream' });
    expect(i!.effect.customers).toBe(32);
    expect(en(i!)).toBe('Missed conversations 9× usual (36 vs 4): 34 in the evening shift (usually 2), mostly on page Hoa Mai Livestream');
    expect(vi(i!)).toBe('Khách bị bỏ lỡ cao gấp 9 lần thường lệ (36 so với 4): 34 trong ca tối (thường lệ 2), phần lớn ở trang Hoa Mai Livestream');
  });

  it('sales down on one page: revenue (the larger effect of the sales family), the page', () => {
    // usual revenue: (40+w) × 250,000 on the livestream page + 16 × 200,000 on Zalo → median 13,325,000; today 2,500,000 + 3,200,000
    const { now, before } = history((w) =>
      ordinary(w, (s) => {
        s.pages[LIVE] = { reach: 190, orders: 10, cancelled: 3, revenue: 10 * 250_000 };
        s.staff[LIVE]!.lan = { ...s.staff[LIVE]!.lan!, orders: 6, revenue: 6 * 250_000 };
        s.staff[LIVE]!.minh = { ...s.staff[LIVE]!.minh!, orders: 4, revenue: 4 * 250_000 };
      }),
    );
    const [i, ...rest] = detectInsights(now, before, ctx);
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ figure: 'revenue', direction: 'down', worse: true, value: 5_700_000, usual: 13_325_000 });
    expect(i!.place).toMatchObject({ dimension: 'page', id: LIVE, value: 2_500_000, usual: 10_125_000 });
    expect(i!.effect.revenue).toBe(5_700_000 - 13_325_000);
    expect(en(i!)).toBe('Revenue 57% below usual (₫5,700,000 vs ₫13,325,000): ₫2,500,000 on page Hoa Mai Livestream (usually ₫10,125,000)');
    expect(vi(i!)).toBe('Doanh thu thấp hơn thường lệ 57% (5.700.000 ₫ so với 13.325.000 ₫): 2.500.000 ₫ ở trang Hoa Mai Livestream (thường lệ 10.125.000 ₫)');
  });

  it('cancellations up with one staff member: the staff member, then the page', () => {
    // usually 3 + 1 = 4 cancelled a day (1 of them Minh's); today 12 more of Minh's on the livestream page
    const { now, before } = history((w) =>
      ordinary(w, (s) => {
        s.pages[LIVE]!.cancelled = 15;
        s.pages[LIVE]!.orders = 40 + w - 12;
        s.staff[LIVE]!.minh!.cancelled = 13;
        s.staff[LIVE]!.minh!.orders = 3;
      }),
    );
    const [i, ...rest] = detectInsights(now, before, ctx);
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ figure: 'ordersCancelled', value: 16, usual: 4 });
    expect(i!.place).toMatchObject({ dimension: 'staff', id: 'minh', value: 13, usual: 1 });
    expect(en(i!)).toBe('Cancelled orders 4× usual (16 vs 4): 13 with Trần Minh (usually 1), mostly on page Hoa Mai Livestream');
    expect(vi(i!)).toBe('Đơn hủy cao gấp 4 lần thường lệ (16 so với 4): 13 ở nhân viên Trần Minh (thường lệ 1), phần lớn ở trang Hoa Mai Livestream');
  });

  it('customers reached up on one page: the page', () => {
    // usual 200+5w + 80+2w = 280, 294, 273, 287 → 283.5; today Zalo 400 + livestream 190 = 590
    const { now, before } = history((w) => ordinary(w, (s) => (s.pages[ZALO]!.reach = 400)));
    const [i, ...rest] = detectInsights(now, before, ctx);
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ figure: 'customersReached', direction: 'up', worse: false, value: 590, usual: 283.5 });
    expect(i!.place).toMatchObject({ dimension: 'page', id: ZALO, value: 400, usual: 81 });
    expect(en(i!)).toBe('Customers reached 2× usual (590 vs 284): 400 on page Hoa Mai Zalo (usually 81)');
    expect(vi(i!)).toBe('Khách tiếp cận cao gấp 2 lần thường lệ (590 so với 284): 400 ở trang Hoa Mai Zalo (thường lệ 81)');
  });

  it('SLA rate down in one shift: the shift, then the page', () => {
    // usually 156 of 170 waits within the SLA (91.8 %); today 28+10+45+27+8 = 118 of 170 (69.4 %), the afternoon 18 of 60 (30 %)
    const { now, before } = history((w) =>
      ordinary(w, (s) => {
        s.staff[LIVE]!.lan!.waits = { morning: [30, 28], afternoon: [40, 10], evening: [50, 45] };
        s.staff[ZALO]!.lan!.waits = { afternoon: [20, 8] };
      }),
    );
    const [i, ...rest] = detectInsights(now, before, ctx);
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ figure: 'slaMetRate', direction: 'down', worse: true });
    // rounded to 4 decimals as the staff-chat report rounds its rates
    expect(i!.value).toBe(0.6941); // 118 / 170
    expect(i!.usual).toBe(0.9176); // 156 / 170
    expect(i!.place).toMatchObject({ dimension: 'shift', id: 'afternoon', value: 0.3 });
    expect(i!.also).toMatchObject({ dimension: 'page', id: LIVE });
    expect(en(i!)).toBe('Replies within the SLA down to 69.4% (usual 91.8%): 30% in the afternoon shift (usually 93.3%), mostly on page Hoa Mai Livestream');
    expect(vi(i!)).toBe('Tỉ lệ trả lời đúng hạn giảm còn 69,4% (thường lệ 91,8%): 30% trong ca chiều (thường lệ 93,3%), phần lớn ở trang Hoa Mai Livestream');
  });

  it('median response time up with one staff member: the staff member, then the page', () => {
    // Lan's 120 livestream waits move from 30 s–4 min to 20–45 min; the median of all 170 waits moves with them
    const { now, before } = history((w) => ordinary(w, (s) => (s.staff[LIVE]!.lan!.rt = { 12: 40, 13: 50, 14: 30 })));
    const [i, ...rest] = detectInsights(now, before, ctx);
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ figure: 'responseTimeMedianSeconds', direction: 'up', worse: true });
    expect(i!.place).toMatchObject({ dimension: 'staff', id: 'lan' });
    expect(i!.also).toMatchObject({ dimension: 'page', id: LIVE });
    expect(en(i!)).toMatch(/^Median response time \d+× usual \(\d+m \d+s vs \d+s\): \d+m with Nguyễn Thị Lan \(usually 1m \d+s\), mostly on page Hoa Mai Livestream$/);
    expect(vi(i!)).toMatch(/^Thời gian phản hồi trung vị cao gấp \d+ lần thường lệ .*ở nhân viên Nguyễn Thị Lan .*phần lớn ở trang Hoa Mai Livestream$/);
  });

  it('cost per ad conversation up: the ad', () => {
    // usual (2,000,000 + 1,000,000) / (100+w + 50) → median 19,934 ₫; today ad 2 spends 3,000,000 for 40 conversations
    const { now, before } = history((w) => ordinary(w, (s) => (s.ads[LIVE]!.ad2 = { spend: 3_000_000, conversations: 40, orders: 5, revenue: 3_000_000 })));
    const [i, ...rest] = detectInsights(now, before, ctx);
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ figure: 'costPerConversation', direction: 'up', worse: true, value: Math.round(5_000_000 / 138) });
    expect(i!.place).toMatchObject({ dimension: 'ad', id: 'ad2', name: 'Livestream tối', value: 75_000, usual: 20_000 });
    expect(en(i!)).toBe('Cost per ad conversation 82% above usual (₫36,232 vs ₫19,934): ₫75,000 from ad Livestream tối (usually ₫20,000)');
    expect(vi(i!)).toBe('Giá mỗi hội thoại từ quảng cáo cao hơn thường lệ 82% (36.232 ₫ so với 19.934 ₫): 75.000 ₫ từ quảng cáo Livestream tối (thường lệ 20.000 ₫)');
  });

  it('ROAS of one ad down: the ad, with its revenue and spend', () => {
    // usual ROAS of ad 1: (30+w) × 200,000 / 2,000,000 = 3.0, 3.2, 2.9, 3.1 → 3.05; today 1,000,000 / 2,000,000 = 0.5
    const { now, before } = history((w) => ordinary(w, (s) => (s.ads[LIVE]!.ad1 = { spend: 2_000_000, conversations: 100, orders: 5, revenue: 1_000_000 })));
    const [i, ...rest] = detectInsights(now, before, ctx);
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ figure: 'roas', direction: 'down', value: 0.5, usual: 3.05, ad: { adId: 'ad1', name: 'Tết sale' } });
    expect(i!.place).toMatchObject({ dimension: 'ad', id: 'ad1' });
    expect(en(i!)).toBe('ROAS of ad Tết sale 84% below usual (0.5x vs 3.05x): ₫1,000,000 revenue on ₫2,000,000 spend');
    expect(vi(i!)).toBe('ROAS của quảng cáo Tết sale thấp hơn thường lệ 84% (0,5x so với 3,05x): doanh thu 1.000.000 ₫ trên 2.000.000 ₫ chi phí');
  });

  it('four unusual figures: at most three, by effect on revenue and waiting customers', () => {
    const { now, before } = fourUnusual();
    const got = detectInsights(now, before, ctx);
    expect(got).toHaveLength(MAX_INSIGHTS);
    // effects: reach +306.5 customers × the usual 46,993 ₫ per customer ≈ 14.4 M; ROAS −2.55 × 2 M spend = −5.1 M;
    // cancellations +12 × the usual 235,841 ₫ per order ≈ −2.8 M; missed +32 customers × 46,993 ≈ 1.5 M (fourth, left out)
    expect(got.map((i) => i.figure)).toEqual(['customersReached', 'roas', 'ordersCancelled']);
    expect(got.map((i) => i.score)).toEqual([...got.map((i) => i.score)].sort((a, b) => b - a));
  });
});
