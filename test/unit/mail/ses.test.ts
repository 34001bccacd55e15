import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PermanentMailError, SesTransport } from '#lib/mail/ses.ts';

const msg = { from: 'digests@chatpulse.vn', to: 'owner@hoamai.vn', raw: 'Subject: x\r\n\r\nhi' };
const err = (name: string) => Object.assign(new Error(name), { name });

describe('SES transport', () => {
  it('retries throttling with growing delays, then sends once', async () => {
    const client = new SESv2Client({ region: 'ap-southeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const ses = mockClient(client);
    ses.on(SendEmailCommand).rejectsOnce(err('TooManyRequestsException')).rejectsOnce(err('TooManyRequestsException')).resolves({ MessageId: 'ses-1' });
    const sleeps: number[] = [];
    const t = new SesTransport(client, { attempts: 5, baseMs: 100, sleep: async (ms) => void sleeps.push(ms) });
    expect(await t.send(msg)).toEqual({ messageId: 'ses-1' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(50); // 100 ms ± jitter
    expect(sleeps[1]).toBeGreaterThanOrEqual(100); // 200 ms ± jitter
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(Buffer.from(input.Content!.Raw!.Data!).toString()).toBe(msg.raw);
  });

  it('turns a rejection into a PermanentMailError without retrying', async () => {
    const client = new SESv2Client({ region: 'ap-southeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const ses = mockClient(client);
    ses.on(SendEmailCommand).rejects(err('MessageRejected'));
    const t = new SesTransport(client, { attempts: 5, baseMs: 1, sleep: async () => undefined });
    await expect(t.send(msg)).rejects.toBeInstanceOf(PermanentMailError);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('gives up after the last attempt when throttling persists', async () => {
    const client = new SESv2Client({ region: 'ap-southeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const ses = mockClient(client);
    ses.on(SendEmailCommand).rejects(err('TooManyRequestsException'));
    const t = new SesTransport(client, { attempts: 3, baseMs: 1, sleep: async () => undefined });
    await expect(t.send(msg)).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
  });
});
