import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { FIELD_LABELS, METRICS, metricDescription, metricsMarkdownTable, readableKey, withMetricsTable } from '#lib/reports/metrics.ts';
import { openApiDocument } from '#lib/reports/openapi.ts';
import { call, httpEvent } from '#test/support/http.ts';
import { handler as report } from '#functions/report/handler.ts';

// The keys SPEC §3 / §4.1 fixes, written out here (not read from the code).
const SPEC_KEYS: Record<string, string[]> = {
  overview: ['customersReached', 'customersCared', 'newCustomers', 'messagesReceived', 'commentsReceived', 'messageConversations', 'ordersCreated', 'ordersCancelled', 'orders', 'ordersDelivered', 'ordersReturned', 'deliveries', 'deliveredRevenue', 'revenue', 'provisionalRevenue', 'grossProfit', 'costCoverage', 'closeRate', 'pagesActivated', 'channelsConnected'],
  funnel: ['reached', 'cared', 'ordered', 'delivered'],
  profile: ['reachByHour', 'interactionsByHour'],
  'staff-chat': ['responseTimeMedianSeconds', 'responseTimeAvgSeconds', 'responseTimeP90Seconds', 'messageReplies', 'commentReplies', 'conversationsAnswered', 'missedConversations', 'missedByShift', 'slaMetRate', 'slaMetRateByShift'],
  'staff-sales': ['ordersCreated', 'orders', 'revenue', 'grossProfit', 'costCoverage', 'customersCared', 'conversionRate'],
  ads: ['conversationsStarted', 'customersReached', 'ordersCreated', 'orders', 'revenue', 'spend', 'roas', 'costPerOrder', 'costPerConversation'],
  referrals: ['participants', 'referred', 'sharers', 'shareRate', 'referralOrders', 'referralRevenue'],
};

describe('metric definitions (one source, three outputs)', () => {
  it('define every key of the spec once per report, in both locales, with a time basis', () => {
    for (const [group, keys] of Object.entries(SPEC_KEYS)) {
      const defined = METRICS.filter((m) => m.group === group).map((m) => m.key);
      for (const k of keys) expect(defined, `${group}.${k}`).toContain(k);
    }
    const ids = METRICS.map((m) => `${m.group}.${m.key}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of METRICS) {
      for (const text of [m.label, m.definition, m.timeBasis]) {
        expect(text.en.length).toBeGreaterThan(0);
        expect(text['vi-VN'].length).toBeGreaterThan(0);
      }
    }
    // a Vietnamese definition is Vietnamese, not the English copied
    expect(METRICS.find((m) => m.key === 'customersReached')!.label['vi-VN']).toBe('Khách tiếp cận');
  });

  it('label the report fields that are not metrics in both locales; any other key reads as words', () => {
    for (const [key, f] of Object.entries(FIELD_LABELS)) {
      expect(f.label.en.length, key).toBeGreaterThan(0);
      expect(f.label['vi-VN'].length, key).toBeGreaterThan(0);
      expect(f.label.en, key).not.toBe(key);
    }
    expect(FIELD_LABELS.waitsClosed!.label['vi-VN']).toBe('Lượt chờ đã trả lời');
    expect(FIELD_LABELS.campaignId!.label.en).toBe('Campaign');
    // a field nothing labels yet still reads as words
    expect(readableKey('someFutureField')).toBe('Some future field');
    expect(readableKey('ad_id')).toBe('Ad id');
  });

  it('the metrics table in docs/metrics.md is exactly the generated one', () => {
    const readme = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
    expect(withMetricsTable(readme)).toBe(readme);
    expect(readme).toContain('| overview | `closeRate` | `ordersCreated / customersReached`; can pass 1 when customers order twice; null when nobody was reached | as its numerator and denominator |');
  });

  it('the table has one row per definition and escapes pipes', () => {
    const rows = metricsMarkdownTable().split('\n');
    expect(rows).toHaveLength(METRICS.length + 2);
    for (const r of rows.slice(2)) expect(r.split(/(?<!\\)\|/)).toHaveLength(6);
  });

  it('the OpenAPI report schemas carry the same text', () => {
    const doc = openApiDocument();
    const schemas = doc.components.schemas as unknown as Record<string, { properties: Record<string, { description?: string }> }>;
    const closeRate = METRICS.find((m) => m.group === 'overview' && m.key === 'closeRate')!;
    expect(schemas.Totals!.properties.closeRate!.description).toBe(metricDescription(closeRate));
    expect(schemas.Totals!.properties.closeRate!.description).toBe(
      '`ordersCreated / customersReached`; can pass 1 when customers order twice; null when nobody was reached. Time basis: as its numerator and denominator.',
    );
    for (const [schema, group] of [['Totals', 'overview'], ['ChatStaffRow', 'staff-chat'], ['SalesStaffRow', 'staff-sales'], ['AdRow', 'ads'], ['ReferralRow', 'referrals']] as const) {
      for (const k of SPEC_KEYS[group]!) expect(schemas[schema]!.properties[k]?.description, `${schema}.${k}`).toBe(metricDescription(METRICS.find((m) => m.group === group && m.key === k)!));
    }
    expect(Object.keys(doc.paths)).toContain('/v1/metrics');
  });

  it('GET /v1/metrics serves them without a key', async () => {
    const res = await call(report, httpEvent({ method: 'GET', path: '/v1/metrics' }));
    expect(res.status).toBe(200);
    expect(res.body.locales).toEqual(['vi-VN', 'en']);
    const reached = res.body.metrics.find((m: { group: string; key: string }) => m.group === 'overview' && m.key === 'customersReached');
    expect(reached.timeBasis).toEqual({ 'vi-VN': 'thời điểm (`at`) của tin nhắn hoặc bình luận, theo múi giờ của shop', en: 'the `at` of the message or comment, in the shop time zone' });
    expect(res.body.metrics).toHaveLength(METRICS.length);
  });
});
