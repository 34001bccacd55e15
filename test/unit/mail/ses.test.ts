import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PermanentMailError, SesTransport, isThrottle } from '#lib/mail/ses.ts';

const msg = { from: 'digests@chatpulse.vn', to: 'owner@hoamai.vn', subject: 'x', raw: 'Subject: x\r\n\r\nhi', html: '<p>hi</p>', text: 'hi', idempotencyKey: 'hoa-mai-daily-2026-11-22-owner@hoamai.vn' };
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
    expect(Buffer.from(input.Content!.Raw!.Data!).toString()).toBe(msg.raw);
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
});
