import { cachedTemplate, loadTemplate } from '#lib/email/compile.ts';
import { fillSkeleton, unescapeHtml, type Skeleton } from '#lib/email/skeleton.ts';
import { BAR_MAX_PX, KPI_ROWS, type DigestView, type KpiKey, type KpiRow } from '#lib/email/view-model.ts';

/**
 * Renders a digest view: fills the compiled skeleton (about 0.1 ms) and
 * writes the plain-text part from the same view.
 *
 * The skeleton is read when this module loads: from
 * `templates/compiled/digest.html` when the build step wrote it (no mjml at
 * run time), else compiled once from `templates/digest.mjml`. That load uses
 * a top-level await, so a bundle of this module must be ESM.
 */
export const DIGEST_TEMPLATE = 'digest';

if (!cachedTemplate(DIGEST_TEMPLATE)) await loadTemplate(DIGEST_TEMPLATE);

/** The digest skeleton this process uses. */
export function digestSkeleton(): Skeleton {
  const s = cachedTemplate(DIGEST_TEMPLATE);
  if (!s) throw new Error('digest template is not loaded: await loadTemplate("digest") first');
  return s;
}

/**
 * Subject, HTML and plain text of one digest email. The view's strings are
 * HTML-escaped; the subject and text are decoded back to plain text.
 */
export function renderDigest(view: DigestView, skeleton: Skeleton = digestSkeleton()): { subject: string; html: string; text: string } {
  return { subject: unescapeHtml(view.subject), html: fillSkeleton(skeleton, view), text: digestText(view) };
}

/** The plain-text alternative: the same figures as the HTML, one per line. */
export function digestText(view: DigestView): string {
  const u = unescapeHtml;
  const t = (k: string) => u(view.t[k] ?? k);
  const title = (k: string) => t(k).toLocaleUpperCase(view.lang);
  const out: string[] = [u(view.shopName), u(view.heading), ''];

  if (view.insights.length > 0) {
    out.push(`${u(view.insightsTitle).toLocaleUpperCase(view.lang)} (${u(view.insightsNote)})`);
    for (const i of view.insights) out.push(`- ${u(i.text)}`);
    out.push('');
  }

  out.push(`${title('kpiTitle')} (${t('vsPrevious')})`);
  for (const [row, keys] of Object.entries(KPI_ROWS) as Array<[KpiRow, readonly KpiKey[]]>) {
    if (!view.kpiRow[row]) continue;
    for (const key of keys) {
      const k = view.kpis[key];
      out.push(`- ${u(k.label)}: ${u(k.value)} (${u(k.change)})${k.note ? ` · ${u(k.note)}` : ''}`);
    }
  }
  if (view.approximate) out.push(u(view.approximate));
  out.push('');

  if (view.funnel.length) {
    out.push(title('funnelTitle'), t('funnelNote'));
    for (const step of view.funnel) out.push(`- ${u(step.label)}: ${u(step.value)}${step.conversion ? ` (${u(step.conversion)} ${t('ofPreviousStep')})` : ''}`);
    out.push('');
  }

  if (view.hasReach) {
    out.push(title('hoursTitle'), u(view.peak));
    for (const h of view.hours) {
      if (!h.bar) continue;
      const blocks = '█'.repeat(Math.max(1, Math.round((h.height / BAR_MAX_PX) * 20)));
      out.push(`${String(h.hour).padStart(2, '0')}:00 ${blocks} ${u(h.count)}`);
    }
    out.push('');
  }

  if (view.topStaff.length) {
    out.push(title('topStaffTitle'));
    for (const s of view.topStaff) out.push(`${s.rank}. ${u(s.name)}: ${t('customersCared')} ${u(s.customersCared)} · ${t('revenue')} ${u(s.revenue)}`);
    out.push('');
  }

  if (view.chatStaff.length) {
    out.push(title('chatStaffTitle'));
    for (const r of view.chatStaff) {
      out.push(
        `- ${u(r.name)}: ${t('medianResponse')} ${u(r.median)} · ${t('p90Response')} ${u(r.p90)} · ${t('slaMet')} ${u(r.sla || r.slaRate)} · ${t('messageReplies')} ${u(r.messageReplies)} · ${t('commentReplies')} ${u(r.commentReplies)} · ${t('missed')} ${u(r.missed)}${r.missedByShift ? ` (${u(r.missedByShift)})` : ''} · ${t('avgResponse')} ${u(r.avg)}`,
      );
    }
    if (view.chatStaffMore) out.push(u(view.chatStaffMore));
    out.push('');
  }

  if (view.salesStaff.length) {
    out.push(title('salesStaffTitle'));
    for (const r of view.salesStaff) {
      out.push(
        `- ${u(r.name)}: ${t('ordersCreated')} ${u(r.ordersCreated)} · ${t('orders')} ${u(r.orders)} · ${t('revenue')} ${u(r.revenue)} · ${t('grossProfit')} ${u(r.grossProfit)}${r.coverage ? ` (${u(r.coverage)})` : ''} · ${t('conversionRate')} ${u(r.conversionRate)}`,
      );
    }
    if (view.salesStaffMore) out.push(u(view.salesStaffMore));
    out.push('');
  }

  if (view.ads.length) {
    out.push(title('adsTitle'));
    for (const a of view.ads) {
      out.push(
        `- ${u(a.name)}${a.campaign ? ` (${t('campaign')} ${u(a.campaign)})` : ''}: ${t('spend')} ${u(a.spend)} · ${t('revenue')} ${u(a.revenue)} · ${t('roas')} ${u(a.roas)} · ${t('costPerConversation')} ${u(a.costPerConversation)} · ${t('orders')} ${u(a.orders)}`,
      );
    }
    if (view.adsMore) out.push(u(view.adsMore));
    out.push('');
  }

  if (view.referral) {
    const r = view.referral;
    out.push(
      title('referralTitle'),
      `- ${t('participants')}: ${u(r.participants)}`,
      `- ${t('referred')}: ${u(r.referred)}`,
      `- ${t('shareRate')}: ${u(r.shareRate)}`,
      `- ${t('referralOrders')}: ${u(r.referralOrders)}`,
      `- ${t('referralRevenue')}: ${u(r.referralRevenue)}`,
      '',
    );
  }

  if (view.reportUrl) out.push(`${u(view.reportLabel)}: ${u(view.reportUrl)}`, '');
  out.push('--', u(view.asOf), u(view.footer), `${u(view.unsubscribeLabel)}: ${u(view.unsubscribeUrl)}`, '');
  return out.join('\n');
}
