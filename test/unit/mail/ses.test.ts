import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { simpleParser } from 'mailparser';
import { PermanentMailError, SesTransport, isThrottle, sesAddress } from '#lib/mail/ses.ts';

const msg = {
  from: 'digests@chatpulse.vn',
  to: 'owner@hoamai.vn',
  subject: 'x',
  html: '<p>hi</p>',
  text: 'hi',
  headers: { 'List-Unsubscribe': '<https://api.example.com/v1/unsubscribe?shop=hoa-mai&sig=x>' },
  idempotencyKey: 'hoa-mai-daily-2026-11-22-owner@hoamai.vn',
};
const err = (name: string, message = name) => Object.assign(new Error(message), { name });
const client = () => new SESv2Client({ region: 'ap-southeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

describe('SES transport', () => {
  it('retries TooManyRequestsException twice with growing, jittered delays, then sends once', async () => {
    const c = client();
    const ses = mockClient(c);
    ses.on(SendEmailCommand).rejectsOnce(err('TooManyRequestsException')).rejectsOnce(err('TooManyRequestsException')).resolves({ MessageId: 'ses-1' });
    const sleeps: number[] = [];
    const t = new SesTransport(c, { attempts: 5, baseMs: 100, sleep: async (ms) => void sleeps.push(ms) });

    expect(await t.send(msg)).toEqual({ messageId: 'ses-1' });

    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(50);
    expect(sleeps[0]).toBeLessThanOrEqual(100);
    expect(sleeps[1]).toBeGreaterThanOrEqual(100);
    expect(sleeps[1]).toBeLessThanOrEqual(200);
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input.Destination?.ToAddresses).toEqual([msg.to]);
    expect(input.EmailTags).toEqual([{ Name: 'idempotency-key', Value: 'hoa-mai-daily-2026-11-22-owner_hoamai_vn' }]);
  });

  it('turns MessageRejected into a PermanentMailError with the reason, after one call', async () => {
    const c = client();
    const ses = mockClient(c);
    ses.on(SendEmailCommand).rejects(err('MessageRejected', 'Email address is not verified.'));
    const t = new SesTransport(c, { attempts: 5, baseMs: 1, sleep: async () => undefined });

    const failure = await t.send(msg).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(PermanentMailError);
    expect(failure).toMatchObject({ name: 'PermanentMailError', reason: 'MessageRejected', message: 'MessageRejected: Email address is not verified.' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it.each(['MailFromDomainNotVerifiedException', 'AccountSuspendedException', 'NotFoundException', 'BadRequestException'])('treats %s as permanent', async (name) => {
    const c = client();
    mockClient(c).on(SendEmailCommand).rejects(err(name));
    await expect(new SesTransport(c, { sleep: async () => undefined }).send(msg)).rejects.toMatchObject({ reason: name });
  });

  it('gives up after the last attempt when throttling persists, rethrowing the retryable error', async () => {
    const c = client();
    const ses = mockClient(c);
    ses.on(SendEmailCommand).rejects(err('TooManyRequestsException'));
    const t = new SesTransport(c, { attempts: 3, baseMs: 1, sleep: async () => undefined });
    await expect(t.send(msg)).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
  });

  it('retries a sending-rate LimitExceeded but hands a daily-quota one and other errors straight back to the queue', async () => {
    expect(isThrottle(err('LimitExceededException', 'Maximum sending rate exceeded.'))).toBe(true);
    expect(isThrottle(err('LimitExceededException', 'Daily message quota exceeded.'))).toBe(false);
    const c = client();
    const ses = mockClient(c);
    ses.on(SendEmailCommand).rejects(err('InternalFailure'));
    await expect(new SesTransport(c, { sleep: async () => undefined }).send(msg)).rejects.toMatchObject({ name: 'InternalFailure' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('sends simple content: UTF-8 subject and both parts, the extra headers, no raw message', async () => {
    const c = client();
    const ses = mockClient(c);
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-2' });
    const subject = 'Báo cáo ngày 22/11: doanh thu 1.250.000 ₫';
    await new SesTransport(c).send({ ...msg, from: 'Chatpulse Báo cáo <digests@chatpulse.vn>', subject: `${subject}\r\nBcc: x@evil.example`, headers: { ...msg.headers, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'Message-ID': '<ours@x>' } });

    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input.Content?.Raw).toBeUndefined();
    expect(input.Content?.Simple).toEqual({
      Subject: { Data: `${subject} Bcc: x@evil.example`, Charset: 'UTF-8' },
      Body: { Text: { Data: 'hi', Charset: 'UTF-8' }, Html: { Data: '<p>hi</p>', Charset: 'UTF-8' } },
      Headers: [
        { Name: 'Auto-Submitted', Value: 'auto-generated' },
        { Name: 'List-Unsubscribe', Value: '<https://api.example.com/v1/unsubscribe?shop=hoa-mai&sig=x>' },
        { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
      ],
    });
    // the Vietnamese display name as RFC 2047 encoded words, read back by a real parser
    expect(input.FromEmailAddress).toMatch(/^[\x20-\x7e]*=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=[\x20-\x7e]* <digests@chatpulse\.vn>$/);
    const parsed = await simpleParser(`From: ${input.FromEmailAddress}\r\n\r\n`);
    expect(parsed.from?.value).toEqual([{ name: 'Chatpulse Báo cáo', address: 'digests@chatpulse.vn' }]);
  });

  it('refuses a header value with a line break before calling SES', async () => {
    const c = client();
    const ses = mockClient(c);
    await expect(new SesTransport(c).send({ ...msg, headers: { 'List-Unsubscribe': '<https://x>\r\nBcc: x@evil.example' } })).rejects.toThrow(/line break/);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('encodes long and ASCII display names as SES expects', async () => {
    expect(sesAddress('owner@hoamai.vn')).toBe('owner@hoamai.vn');
    expect(sesAddress('Hoa Mai Shop <owner@hoamai.vn>')).toBe('Hoa Mai Shop <owner@hoamai.vn>');
    const name = 'Cửa hàng Thời trang Hoa Mai — chi nhánh Quận Hai Bà Trưng, Hà Nội';
    const encoded = sesAddress(`"${name}" <owner@hoamai.vn>`);
    for (const word of encoded.split(' ').slice(0, -1)) expect(word.length).toBeLessThanOrEqual(75);
    expect((await simpleParser(`To: ${encoded}\r\n\r\n`)).to).toMatchObject({ value: [{ name, address: 'owner@hoamai.vn' }] });
  });
});
