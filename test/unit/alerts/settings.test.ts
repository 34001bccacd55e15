import { describe, expect, it } from 'vitest';
import { shopInputSchema, isAllowedWebhookUrl } from '#lib/shops/schema.ts';
import { signatureOf } from '#lib/alerts/webhook.ts';
import { thresholdsOf, waitClock } from '#lib/alerts/clock.ts';
import { rulesOf } from '#lib/ingest/context.ts';
import { makeShop } from '#test/support/factories.ts';

describe('alert settings', () => {
  const base = { name: 'S' };
  const hook = (url: string) => ({ ...base, alerts: { channels: [{ type: 'webhook', url, secret: 'sixteen-chars-ok' }] } });

  it('accepts https webhooks and plain http only on loopback', () => {
    expect(isAllowedWebhookUrl('https://ops.example.vn/hook')).toBe(true);
    expect(isAllowedWebhookUrl('http://127.0.0.1:8080/hook')).toBe(true);
    expect(isAllowedWebhookUrl('http://localhost/hook')).toBe(true);
    expect(isAllowedWebhookUrl('http://[::1]:9/x')).toBe(true);
    expect(isAllowedWebhookUrl('http://ops.example.vn/hook')).toBe(false);
    expect(isAllowedWebhookUrl('http://127.0.0.1.nip.io/hook')).toBe(false);
    expect(isAllowedWebhookUrl('https://user:pw@ops.example.vn/hook')).toBe(false);
    expect(isAllowedWebhookUrl('ftp://ops.example.vn/hook')).toBe(false);
    expect(shopInputSchema.safeParse(hook('http://10.0.0.5/hook')).success).toBe(false);
    expect(shopInputSchema.safeParse(hook('https://ops.example.vn/hook')).success).toBe(true);
  });

  it('refuses a warning at or beyond the SLA, a short secret and a bad email', () => {
    expect(shopInputSchema.safeParse({ ...base, responseSlaMinutes: 15, alerts: { warnBeforeMinutes: 15, channels: [] } }).success).toBe(false);
    expect(shopInputSchema.safeParse({ ...base, responseSlaMinutes: 15, alerts: { warnBeforeMinutes: 14, channels: [] } }).success).toBe(true);
    expect(shopInputSchema.safeParse({ ...base, alerts: { channels: [{ type: 'webhook', url: 'https://a.vn', secret: 'short' }] } }).success).toBe(false);
    expect(shopInputSchema.safeParse({ ...base, alerts: { channels: [{ type: 'email', to: 'not-an-email' }] } }).success).toBe(false);
  });
});

describe('alert signature and clock', () => {
  it('signs "t.body" with HMAC-SHA256 in hex (vector computed with openssl)', () => {
    expect(signatureOf('whsec-unit-0123456789', '{"a":1}', 1733241600)).toBe('t=1733241600,v1=0f7e0ea08777bff460055682e8bde021d918e7600fd94ca0d1df1c3fe0cd057a');
  });

  it('puts thresholds in working time: split shift 08:00–11:30 / 13:30–21:00, SLA 15, warning 5 before', () => {
    const shop = makeShop('clock', { responseSlaMinutes: 15, workingHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '08:00', end: '11:30' }, { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '13:30', end: '21:00' }] });
    const rules = rulesOf(shop);
    // opened 11:25 (+07): 5 working minutes before the break, the rest after 13:30
    const opened = Date.parse('2026-11-20T11:25:00+07:00');
    expect(thresholdsOf(opened, rules, 5).map((t) => [t.threshold, new Date(t.at).toISOString()])).toEqual([
      ['warning', '2026-11-20T06:35:00.000Z'], // 13:35 local
      ['breach', '2026-11-20T06:40:00.000Z'], // 13:40 local
    ]);
    expect(thresholdsOf(opened, rules, undefined).map((t) => t.threshold)).toEqual(['breach']);
    expect(waitClock(opened, Date.parse('2026-11-20T13:31:30+07:00'), rules)).toEqual({ workingMinutesWaited: 6, minutesLeft: 9 });
  });
});
