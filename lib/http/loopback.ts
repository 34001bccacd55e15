/**
 * The loopback names, with an optional port: 127.0.0.1, localhost or [::1].
 * The local server answers only these Host values (anything else, a rebound
 * DNS name or a LAN address, gets 421: scripts/local/runtime.ts), and a
 * digest job's links may use plain http only on them (lib/digests/job.ts).
 */
export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i.test(host);
}
