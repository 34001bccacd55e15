import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyMetaSignature, verifyOrderSignature, verifyZaloSignature } from '#lib/adapters/signature.ts';
import { makeMetaMessage, makeShopifyOrder, makeZalo } from '#test/support/fixtures/platforms.ts';

// Signatures are computed here with node:crypto, independently of the code under test.
const changeOneByte = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  b[10] = b[10]! ^ 0x01;
  return b;
};

describe('verifyMetaSignature', () => {
  const raw = JSON.stringify(makeMetaMessage());
  const hex = createHmac('sha256', 'app-secret').update(raw).digest('hex');
  const good = `sha256=${hex}`;

  it('accepts sha256=<hex HMAC> of the raw body, given as string or Buffer', () => {
    expect(verifyMetaSignature(raw, good, 'app-secret')).toBe(true);
    expect(verifyMetaSignature(Buffer.from(raw, 'utf8'), good, 'app-secret')).toBe(true);
    expect(verifyMetaSignature(raw, `sha256=${hex.toUpperCase()}`, 'app-secret')).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without the sha256= prefix', hex],
    ['truncated by one hex digit', good.slice(0, -1)],
    ['truncated to half', good.slice(0, 39)],
    ['one hex digit too many', `${good}0`],
    ['not hex', `sha256=${'z'.repeat(64)}`],
    ['of another secret', `sha256=${createHmac('sha256', 'other-secret').update(raw).digest('hex')}`],
    ['SHA-1 (X-Hub-Signature)', `sha1=${createHmac('sha1', 'app-secret').update(raw).digest('hex')}`],
    ['base64 instead of hex', `sha256=${createHmac('sha256', 'app-secret').update(raw).digest('base64')}`],
  ])('rejects a signature %s', (_, header) => {
    expect(verifyMetaSignature(raw, header, 'app-secret')).toBe(false);
  });

  it('rejects a body with one changed byte, and an empty app secret', () => {
    expect(verifyMetaSignature(changeOneByte(raw), good, 'app-secret')).toBe(false);
    expect(verifyMetaSignature(raw, `sha256=${createHmac('sha256', '').update(raw).digest('hex')}`, '')).toBe(false);
  });
});

describe('verifyZaloSignature', () => {
  const body = makeZalo();
  const raw = JSON.stringify(body);
  const mac = (text: string, appId: string, timestamp: string, secret: string) => `mac=${createHash('sha256').update(appId + text + timestamp + secret).digest('hex')}`;
  const good = mac(raw, '1234567890', body.timestamp, 'oa-secret');

  it('accepts mac=sha256(app_id + raw body + body timestamp + OA secret key), string or Buffer', () => {
    expect(verifyZaloSignature(raw, good, '1234567890', 'oa-secret')).toBe(true);
    expect(verifyZaloSignature(Buffer.from(raw, 'utf8'), good, '1234567890', 'oa-secret')).toBe(true);
  });

  it('accepts a numeric timestamp field', () => {
    const numeric = JSON.stringify({ ...body, timestamp: 1763605800000 });
    expect(verifyZaloSignature(numeric, mac(numeric, '1234567890', '1763605800000', 'oa-secret'), '1234567890', 'oa-secret')).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without the mac= prefix', good.slice(4)],
    ['truncated', good.slice(0, 20)],
    ['one hex digit short', good.slice(0, -1)],
    ['not hex', `mac=${'g'.repeat(64)}`],
    ['of another OA secret', mac(raw, '1234567890', body.timestamp, 'other-secret')],
    ['of another app id', mac(raw, '999', body.timestamp, 'oa-secret')],
    ['over another timestamp', mac(raw, '1234567890', '1763605800001', 'oa-secret')],
  ])('rejects a signature %s', (_, header) => {
    expect(verifyZaloSignature(raw, header, '1234567890', 'oa-secret')).toBe(false);
  });

  it('rejects a changed body, a body that is not JSON or has no timestamp, and an empty key', () => {
    expect(verifyZaloSignature(changeOneByte(raw), good, '1234567890', 'oa-secret')).toBe(false);
    expect(verifyZaloSignature('not json', mac('not json', '1234567890', '', 'oa-secret'), '1234567890', 'oa-secret')).toBe(false);
    expect(verifyZaloSignature('null', mac('null', '1234567890', '', 'oa-secret'), '1234567890', 'oa-secret')).toBe(false);
    const noTs = JSON.stringify({ event_name: 'follow' });
    expect(verifyZaloSignature(noTs, mac(noTs, '1234567890', 'undefined', 'oa-secret'), '1234567890', 'oa-secret')).toBe(false);
    expect(verifyZaloSignature(raw, mac(raw, '1234567890', body.timestamp, ''), '1234567890', '')).toBe(false);
  });
});

describe('verifyOrderSignature', () => {
  const raw = JSON.stringify(makeShopifyOrder());
  const good = createHmac('sha256', 'order-secret').update(raw).digest('base64');

  it('accepts the base64 HMAC-SHA256 of the raw body (Haravan, Sapo and Shopify alike)', () => {
    expect(verifyOrderSignature(raw, good, 'order-secret')).toBe(true);
    expect(verifyOrderSignature(Buffer.from(raw, 'utf8'), ` ${good} `, 'order-secret')).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['truncated', good.slice(0, 30)],
    ['without padding', good.slice(0, -1)],
    ['hex instead of base64', createHmac('sha256', 'order-secret').update(raw).digest('hex')],
    ['not base64', '!'.repeat(43) + '='],
    ['of another secret', createHmac('sha256', 'x').update(raw).digest('base64')],
  ])('rejects a signature %s', (_, header) => {
    expect(verifyOrderSignature(raw, header, 'order-secret')).toBe(false);
  });

  it('rejects the base64url alphabet', () => {
    expect(good).toMatch(/[+/]/); // precondition: this digest has a character base64url spells differently
    expect(verifyOrderSignature(raw, good.replace(/\+/g, '-').replace(/\//g, '_'), 'order-secret')).toBe(false);
  });

  it('rejects a body with one changed byte and an empty secret', () => {
    expect(verifyOrderSignature(changeOneByte(raw), good, 'order-secret')).toBe(false);
    expect(verifyOrderSignature(raw, createHmac('sha256', '').update(raw).digest('base64'), '')).toBe(false);
  });
});
