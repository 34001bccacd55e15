import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const KEYS = ['META_APP_SECRET', 'META_VERIFY_TOKEN', 'ZALO_APP_ID', 'ZALO_OA_SECRET_KEY', 'ADMIN_TOKEN', 'UNSUBSCRIBE_SIGNING_KEY'] as const;
const STORED = {
  META_APP_SECRET: 'sm-meta-app-secret',
  META_VERIFY_TOKEN: 'sm-verify-token',
  ZALO_APP_ID: 'sm-zalo-app',
  ZALO_OA_SECRET_KEY: 'sm-zalo-key',
  ADMIN_TOKEN: 'sm-admin-token-0123456789abcdef',
  UNSUBSCRIBE_SIGNING_KEY: 'sm-unsubscribe-signing-key-0123456789abcdef',
};

const sm = mockClient(SecretsManagerClient);
let saved: NodeJS.ProcessEnv;

/** A fresh copy of lib/secrets.ts and lib/config.ts (the module caches the loaded secret per process, like a Lambda). */
async function load() {
  vi.resetModules();
  const secrets = await import('#lib/secrets.ts');
  const config = await import('#lib/config.ts');
  return { ...secrets, ...config };
}

describe('loadSecrets', () => {
  beforeEach(() => {
    saved = { ...process.env };
    for (const k of KEYS) delete process.env[k];
    delete process.env.SECRET_ARN;
    delete process.env.SECRET_ARNS;
    sm.reset();
  });
  afterEach(() => {
    process.env = saved;
  });

  it('is a no-op without SECRET_ARN (the local runtime)', async () => {
    const { loadSecrets } = await load();

    await loadSecrets();

    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    for (const k of KEYS) expect(process.env[k]).toBeUndefined();
  });

  it('reads the secret once and exposes its keys through config()', async () => {
    process.env.SECRET_ARN = 'chatpulse/test';
    sm.on(GetSecretValueCommand, { SecretId: 'chatpulse/test' }).resolves({ SecretString: JSON.stringify({ ...STORED, UNRELATED: 'x' }) });
    const { loadSecrets, config } = await load();
    expect(config().ADMIN_TOKEN).toBeUndefined(); // cached before the secret arrives

    await loadSecrets();
    await Promise.all([loadSecrets(), loadSecrets()]);

    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    for (const k of KEYS) expect(process.env[k]).toBe(STORED[k]);
    expect(process.env.UNRELATED).toBeUndefined();
    expect(config().ADMIN_TOKEN).toBe(STORED.ADMIN_TOKEN); // resetConfig() ran
    expect(config().META_APP_SECRET).toBe(STORED.META_APP_SECRET);
  });

  it('keeps a value already set in the environment', async () => {
    process.env.SECRET_ARN = 'chatpulse/test';
    process.env.META_VERIFY_TOKEN = 'from-env';
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(STORED) });
    const { loadSecrets } = await load();

    await loadSecrets();

    expect(process.env.META_VERIFY_TOKEN).toBe('from-env');
    expect(process.env.ZALO_OA_SECRET_KEY).toBe(STORED.ZALO_OA_SECRET_KEY);
  });

  it('fails loudly when the secret cannot be read, and retries on the next call', async () => {
    process.env.SECRET_ARN = 'chatpulse/test';
    sm.on(GetSecretValueCommand).rejectsOnce(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' })).resolves({ SecretString: JSON.stringify(STORED) });
    const { loadSecrets } = await load();

    await expect(loadSecrets()).rejects.toThrow('not authorized');
    expect(process.env.ADMIN_TOKEN).toBeUndefined();
    await loadSecrets();

    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(process.env.ADMIN_TOKEN).toBe(STORED.ADMIN_TOKEN);
  });

  it('picks up a rotated secret once the 300 s max age has passed, not before, without a new process', async () => {
    process.env.SECRET_ARN = 'chatpulse/test';
    const rotated = { ...STORED, ADMIN_TOKEN: 'sm-admin-token-rotated-fedcba9876', META_APP_SECRET: 'sm-meta-app-secret-2' };
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify(STORED) }).resolves({ SecretString: JSON.stringify(rotated) });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const t0 = Date.parse('2026-12-01T00:00:00Z');
      vi.setSystemTime(t0);
      const { loadSecrets, config, secretMaxAgeSeconds } = await load();
      expect(secretMaxAgeSeconds()).toBe(300);

      await loadSecrets();
      expect(config().ADMIN_TOKEN).toBe(STORED.ADMIN_TOKEN);

      vi.setSystemTime(t0 + 299_000); // still within the max age: served from the cache
      await loadSecrets();
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      expect(config().ADMIN_TOKEN).toBe(STORED.ADMIN_TOKEN);

      vi.setSystemTime(t0 + 301_000); // expired: read again, the rotated values replace the old ones
      await loadSecrets();
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
      expect(process.env.ADMIN_TOKEN).toBe('sm-admin-token-rotated-fedcba9876');
      expect(config().ADMIN_TOKEN).toBe('sm-admin-token-rotated-fedcba9876');
      expect(config().META_APP_SECRET).toBe('sm-meta-app-secret-2');
      expect(process.env.ZALO_OA_SECRET_KEY).toBe(STORED.ZALO_OA_SECRET_KEY);
    } finally {
      vi.useRealTimers();
    }
  });

  it('takes its max age from POWERTOOLS_PARAMETERS_MAX_AGE', async () => {
    process.env.SECRET_ARN = 'chatpulse/test';
    process.env.POWERTOOLS_PARAMETERS_MAX_AGE = '60';
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify(STORED) }).resolves({ SecretString: JSON.stringify({ ...STORED, ADMIN_TOKEN: 'sm-admin-after-60s-000000' }) });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const t0 = Date.parse('2026-12-01T00:00:00Z');
      vi.setSystemTime(t0);
      const { loadSecrets } = await load();
      await loadSecrets();
      vi.setSystemTime(t0 + 61_000);
      await loadSecrets();
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
      expect(process.env.ADMIN_TOKEN).toBe('sm-admin-after-60s-000000');
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads only the secrets named in SECRET_ARNS, each once, and takes the keys each holds', async () => {
    process.env.SECRET_ARNS = 'chatpulse/test/admin,chatpulse/test/unsubscribe';
    sm.on(GetSecretValueCommand, { SecretId: 'chatpulse/test/admin' }).resolves({ SecretString: JSON.stringify({ ADMIN_TOKEN: STORED.ADMIN_TOKEN }) });
    sm.on(GetSecretValueCommand, { SecretId: 'chatpulse/test/unsubscribe' }).resolves({ SecretString: JSON.stringify({ UNSUBSCRIBE_SIGNING_KEY: STORED.UNSUBSCRIBE_SIGNING_KEY }) });
    const { loadSecrets, config } = await load();

    await Promise.all([loadSecrets(), loadSecrets()]);

    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId).sort()).toEqual(['chatpulse/test/admin', 'chatpulse/test/unsubscribe']);
    expect(config().ADMIN_TOKEN).toBe(STORED.ADMIN_TOKEN);
    expect(config().UNSUBSCRIBE_SIGNING_KEY).toBe(STORED.UNSUBSCRIBE_SIGNING_KEY);
    expect(process.env.META_APP_SECRET).toBeUndefined();
  });
});
