import type { Recipient, Shop, Locale } from '#lib/shops/schema.ts';
import type { AdsReport, OverviewReport, ReferralsReport, StaffChatReport, StaffSalesReport, Totals } from '#lib/reports/types.ts';
import { STRINGS, esc, formatters } from '#lib/email/i18n.ts';

/**
 * The digest's view model: every figure already formatted for the
 * recipient's locale and the shop's currency, every string HTML-escaped, and
 * the repeated parts (table rows, bars) as small HTML fragments for the
 * compiled template's placeholders. Also the plain-text part.
 */
export type DigestView = { subject: string; lang: string; slots: Record<string, string>; text: string };

export type DigestInput = {
  shop: Shop;
  recipient: Recipient;
  period: 'daily' | 'weekly';
  overview: OverviewReport;
  staffChat: StaffChatReport;
  staffSales: StaffSalesReport;
  ads: AdsReport;
  referrals: ReferralsReport;
  unsubscribeUrl: string;
};

const KPI_KEYS = ['customersReached', 'customersCared', 'newCustomers', 'orders', 'revenue', 'closeRate', 'grossProfit', 'ordersCancelled'] as const;
const MONEY_KPIS = new Set(['revenue', 'grossProfit']);
/** For these, a rise is bad news. */
const LOWER_IS_BETTER = new Set(['ordersCancelled']);

const td = (content: string, cls = '', extra = '') => `<td class="${cls}" style="padding:6px 4px;${extra}">${content}</td>`;
const th = (content: string, num = false) => `<th style="padding:6px 4px;text-align:${num ? 'right' : 'left'};color:#6b7280;font-size:12px;font-weight:600;border-bottom:1px solid #e5e7eb">${content}</th>`;
const numCell = (content: string) => td(content, 'num', 'text-align:right;white-space:nowrap');
const tr = (cells: string[]) => `<tr style="border-bottom:1px solid #f3f4f6">${cells.join('')}</tr>`;

function displayDate(iso: string, locale: Locale): string {
  const [y, m, d] = iso.split('-');
  return locale === 'vi-VN' ? `${d}/${m}/${y}` : `${d}/${m}/${y}`;
}

export function buildDigestView(input: DigestInput): DigestView {
  const { shop, recipient, period, overview, staffChat, staffSales, ads, referrals } = input;
  const locale: Locale = recipient.locale ?? shop.locale;
  const s = STRINGS[locale];
  const f = formatters(locale, shop.currency, shop.timezone);
  const periodLabel = overview.from === overview.to ? displayDate(overview.from, locale) : `${displayDate(overview.from, locale)} – ${displayDate(overview.to, locale)}`;
  const subject = (period === 'daily' ? s.subjectDaily : s.subjectWeekly)(shop.name, periodLabel);
  const text: string[] = [`${shop.name} — ${period === 'daily' ? s.daily : s.weekly} ${periodLabel}`, ''];

  // KPI tiles: two per row
  const fmt = (k: (typeof KPI_KEYS)[number], t: Totals) =>
    k === 'closeRate' ? f.percent(t.closeRate) : MONEY_KPIS.has(k) ? f.money(t[k] as number) : f.number(t[k] as number);
  const tiles = KPI_KEYS.map((k) => {
    const cur = k === 'closeRate' ? (overview.totals.closeRate ?? 0) : (overview.totals[k] as number);
    const prev = k === 'closeRate' ? (overview.previous.closeRate ?? 0) : (overview.previous[k] as number);
    const ch = f.change(cur, prev);
    const good = ch.dir === 'flat' ? '#6b7280' : (ch.dir === 'up') !== LOWER_IS_BETTER.has(k) ? '#047857' : '#b91c1c';
    text.push(`${s.kpis[k]}: ${fmt(k, overview.totals)} (${ch.text})`);
    return `<td style="padding:8px;vertical-align:top;width:50%;border:1px solid #e5e7eb;border-radius:6px">
<div style="font-size:12px;color:#6b7280">${esc(s.kpis[k])}</div>
<div style="font-size:20px;font-weight:700;line-height:28px;color:#111827">${esc(fmt(k, overview.totals))}</div>
<div style="font-size:12px;color:${good}">${esc(ch.text)}</div></td>`;
  });
  const kpiRows = [0, 2, 4, 6].map((i) => `<tr>${tiles[i]}${tiles[i + 1]}</tr>`).join('');
  text.push('');

  // funnel: bars as table cells whose width is the share of the first step
  const fn = overview.funnel;
  const steps: Array<[string, number]> = [
    [s.funnel.reached, fn.reached],
    [s.funnel.cared, fn.cared],
    [s.funnel.ordered, fn.ordered],
    [s.funnel.delivered, fn.delivered],
  ];
  const top = Math.max(1, fn.reached);
  const funnelRows = steps
    .map(([label, v], i) => {
      const width = Math.max(2, Math.round((v / top) * 100));
      const conv = i === 0 ? '' : f.percent(steps[i - 1]![1] === 0 ? null : v / steps[i - 1]![1]);
      text.push(`${label}: ${f.number(v)}${conv ? ` (${conv})` : ''}`);
      return tr([
        td(esc(label), '', 'width:30%'),
        td(`<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td style="background:#14b8a6;height:14px;width:${width}%;border-radius:3px"></td><td></td></tr></table>`, '', 'width:45%'),
        numCell(`${esc(f.number(v))}${conv ? ` <span style="color:#6b7280;font-size:12px">${esc(conv)}</span>` : ''}`),
      ]);
    })
    .join('');
  text.push('');

  // customers reached by hour: 24 vertical bars
  const reach = overview.reachByHour;
  const maxReach = Math.max(1, ...reach);
  const bars = reach
    .map((v) => {
      const h = Math.round((v / maxReach) * 60);
      return `<td style="vertical-align:bottom;padding:0 1px;height:64px" title="${v}"><div style="background:${v === maxReach && v > 0 ? '#0f766e' : '#5eead4'};height:${Math.max(h, v > 0 ? 2 : 0)}px;line-height:1px;font-size:1px">&nbsp;</div></td>`;
    })
    .join('');
  const labels = reach.map((_, h) => `<td style="font-size:9px;color:#6b7280;text-align:center;padding:2px 0">${h % 3 === 0 ? h : ''}</td>`).join('');
  const hourChart = `<tr>${bars}</tr><tr>${labels}</tr>`;
  const peak = reach.indexOf(Math.max(...reach));
  const hoursNote = Math.max(...reach) > 0 ? s.hoursNote(`${String(peak).padStart(2, '0')}:00–${String(peak + 1).padStart(2, '0')}:00`) : s.none;
  text.push(`${s.hoursTitle}: ${reach.join(' ')}`, '');

  // top staff
  const topStaffRows = overview.topStaff.length
    ? tr([th(s.cols.staff), th(s.cols.customers, true), th(s.cols.revenue, true), th(s.cols.conversion, true)]) +
      overview.topStaff.map((t) => tr([td(esc(t.name)), numCell(esc(f.number(t.customersCared))), numCell(esc(f.money(t.revenue))), numCell(esc(f.percent(t.conversionRate)))])).join('')
    : tr([td(esc(s.none), 'muted')]);
  for (const t of overview.topStaff) text.push(`${t.name}: ${f.number(t.customersCared)} · ${f.money(t.revenue)} · ${f.percent(t.conversionRate)}`);
  text.push('');

  // chat staff: avg/p90 response, replies, missed (per shift)
  const chat = staffChat.rows.filter((r) => r.messageReplies + r.commentReplies + r.missedConversations > 0);
  const chatStaffRows = chat.length
    ? tr([th(s.cols.staff), th(s.cols.avg, true), th(s.cols.p90, true), th(s.cols.replies, true), th(s.cols.missed, true)]) +
      chat
        .map((r) => {
          const shifts = Object.entries(r.missedByShift)
            .filter(([, v]) => v > 0)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
          text.push(`${r.name}: ${r.responseTimeAvgSeconds === null ? '—' : s.duration(r.responseTimeAvgSeconds)} · ${r.messageReplies + r.commentReplies} · ${r.missedConversations}${shifts ? ` (${shifts})` : ''}`);
          return tr([
            td(esc(r.name)),
            numCell(esc(r.responseTimeAvgSeconds === null ? '—' : s.duration(r.responseTimeAvgSeconds))),
            numCell(esc(r.responseTimeP90Seconds === null ? '—' : s.duration(r.responseTimeP90Seconds))),
            numCell(esc(f.number(r.messageReplies + r.commentReplies))),
            numCell(`${esc(f.number(r.missedConversations))}${shifts ? `<div style="font-size:11px;color:#6b7280">${esc(shifts)}</div>` : ''}`),
          ]);
        })
        .join('')
    : tr([td(esc(s.none), 'muted')]);
  text.push('');

  // sales staff
  const sales = staffSales.rows.filter((r) => r.ordersCreated + r.customersCared > 0);
  const salesStaffRows = sales.length
    ? tr([th(s.cols.staff), th(s.cols.orders, true), th(s.cols.revenue, true), th(s.cols.conversion, true)]) +
      sales
        .map((r) => {
          text.push(`${r.name}: ${f.number(r.orders)} · ${f.money(r.revenue)} · ${f.percent(r.conversionRate)}`);
          return tr([td(esc(r.name)), numCell(esc(f.number(r.orders))), numCell(esc(f.money(r.revenue))), numCell(esc(f.percent(r.conversionRate)))]);
        })
        .join('')
    : tr([td(esc(s.none), 'muted')]);
  text.push('');

  // top ads by revenue with ROAS
  const topAds = ads.rows.slice(0, 5);
  const adRows = topAds.length
    ? tr([th(s.cols.ad), th(s.cols.orders, true), th(s.cols.spend, true), th(s.cols.roas, true)]) +
      topAds
        .map((a) => {
          const roas = a.roas === null ? '—' : `${a.roas.toFixed(1)}×`;
          text.push(`${a.adId}${a.campaignId ? ` (${a.campaignId})` : ''}: ${f.number(a.orders)} · ${f.money(a.spend)} · ${roas}`);
          return tr([
            td(`${esc(a.adId)}${a.campaignId ? `<div style="font-size:11px;color:#6b7280">${esc(a.campaignId)}</div>` : ''}`),
            numCell(esc(f.number(a.orders))),
            numCell(esc(f.money(a.spend))),
            numCell(esc(roas)),
          ]);
        })
        .join('')
    : tr([td(esc(s.none), 'muted')]);
  text.push('');

  // referral block only when the shop has referral activity
  const ref = referrals.rows[0];
  const hasReferral = !!ref && ref.participants + ref.referralOrders + ref.sharers > 0;
  const referralBlock = hasReferral
    ? `<div style="background:#ffffff;max-width:600px;margin:0 auto;padding:8px 16px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2937">
<div style="font-size:16px;font-weight:700;line-height:24px">${esc(s.referralTitle)}</div>
<table role="presentation" width="100%" style="font-size:13px;border-collapse:collapse">
<tr>${th(s.cols.participants, true)}${th(s.cols.referred, true)}${th(s.cols.shareRate, true)}${th(s.cols.revenue, true)}</tr>
<tr>${numCell(esc(f.number(ref.participants)))}${numCell(esc(f.number(ref.referred)))}${numCell(esc(f.percent(ref.shareRate)))}${numCell(esc(f.money(ref.referralRevenue)))}</tr>
</table></div>`
    : '';
  if (hasReferral) text.push(`${s.referralTitle}: ${f.number(ref.participants)} · ${f.number(ref.referred)} · ${f.percent(ref.shareRate)} · ${f.money(ref.referralRevenue)}`, '');

  const asOf = s.asOf(f.dateTime(Date.parse(overview.generatedAt)));
  text.push(asOf, `${s.unsubscribe}: ${input.unsubscribeUrl}`);

  return {
    subject,
    lang: locale === 'vi-VN' ? 'vi' : 'en',
    slots: {
      lang: locale === 'vi-VN' ? 'vi' : 'en',
      title: esc(subject),
      preview: esc(`${s.kpis.revenue}: ${f.money(overview.totals.revenue)} · ${s.kpis.orders}: ${f.number(overview.totals.orders)}`),
      shopName: esc(shop.name),
      heading: esc(`${period === 'daily' ? s.daily : s.weekly} · ${periodLabel}`),
      kpiTitle: esc(s.kpiTitle),
      kpiRows,
      kpiNote: esc(s.kpiNote(period === 'daily' ? s.prevDaily : s.prevWeekly)),
      funnelTitle: esc(s.funnelTitle),
      funnelRows,
      hoursTitle: esc(s.hoursTitle),
      hourChart,
      hoursNote: esc(hoursNote),
      topStaffTitle: esc(s.topStaffTitle),
      topStaffRows,
      chatStaffTitle: esc(s.chatStaffTitle),
      chatStaffRows,
      salesStaffTitle: esc(s.salesStaffTitle),
      salesStaffRows,
      adsTitle: esc(s.adsTitle),
      adRows,
      referralBlock,
      asOf: esc(asOf),
      footer: esc(s.footer(shop.name)),
      unsubscribeUrl: esc(input.unsubscribeUrl),
      unsubscribeLabel: esc(s.unsubscribe),
    },
    text: text.join('\n'),
  };
}
