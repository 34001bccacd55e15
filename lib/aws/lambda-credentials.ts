import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (the `alias` in
 * infra/bundling.ts), in deployed functions only. Inside Lambda the
 * execution role's credentials are always in the environment
 * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), which
 * is the first link of the SDK's default chain anyway; the rest of the chain
 * (shared ini files, SSO, login, process, web identity, instance metadata,
 * with their own STS and SSO clients) is ~90 KB no function can use. The
 * local runtime and the tests load the SDK unchanged.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
