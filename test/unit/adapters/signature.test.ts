import { describe, expect, it } from 'vitest';
import { verifyMetaSignature, verifyOrderSignature, verifyZaloSignature } from '#lib/adapters/signature.ts';
import { makeMetaMessage, makeZalo, metaSign, orderSign, zaloSign } from '#test/support/fixtures/platforms.ts';

const raw = JSON.stringify(makeMetaMessage());

describe('Meta signature', () => {
  const good = metaSign(raw, 'app-secret');
  it('accepts the HMAC of the raw body', () => expect(verifyMetaSignature(raw, good, 'app-secret')).toBe(true));
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without prefix', good.slice(7)],
    ['truncated', good.slice(0, -2)],
    ['not hex', `sha256=${'z'.repeat(64)}`],
    ['other secret', metaSign(raw, 'other-secret')],
    ['sha1 header', `sha1=${'a'.repeat(40)}`],
  ])('rejects a %s signature', (_, header) => expect(verifyMetaSignature(raw, header, 'app-secret')).toBe(false));
  it('rejects a body with one changed byte', () => expect(verifyMetaSignature(raw.replace('size M', 'size L'), good, 'app-secret')).toBe(false));
});

describe('Zalo signature', () => {
  const body = makeZalo();
  const text = JSON.stringify(body);
  const good = zaloSign(text, '1234567890', body.timestamp, 'oa-secret');
  it('accepts sha256(app_id + body + timestamp + secret)', () => expect(verifyZaloSignature(text, good, '1234567890', 'oa-secret')).toBe(true));
  it('rejects wrong app id, secret, missing and changed body', () => {
    expect(verifyZaloSignature(text, good, '999', 'oa-secret')).toBe(false);
    expect(verifyZaloSignature(text, good, '1234567890', 'other')).toBe(false);
    expect(verifyZaloSignature(text, undefined, '1234567890', 'oa-secret')).toBe(false);
    expect(verifyZaloSignature(text.replace('giá', 'gia'), good, '1234567890', 'oa-secret')).toBe(false);
    expect(verifyZaloSignature('not json', good, '1234567890', 'oa-secret')).toBe(false);
    expect(verifyZaloSignature(text, good.slice(0, 20), '1234567890', 'oa-secret')).toBe(false);
  });
});

describe('order signature', () => {
  const body = '{"id":1,"total_price":"100000"}';
  const good = orderSign(body, 'order-secret');
  it('accepts base64 HMAC-SHA256', () => expect(verifyOrderSignature(body, good, 'order-secret')).toBe(true));
  it('rejects other secret, truncation, missing and a changed body', () => {
    expect(verifyOrderSignature(body, orderSign(body, 'x'), 'order-secret')).toBe(false);
    expect(verifyOrderSignature(body, good.slice(0, 30), 'order-secret')).toBe(false);
    expect(verifyOrderSignature(body, undefined, 'order-secret')).toBe(false);
    expect(verifyOrderSignature(body.replace('100000', '100001'), good, 'order-secret')).toBe(false);
  });
});
