import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where `npm start` says it is listening: it writes its URL to
 * `.data/local-url` and removes the file when it stops, so `npm run demo`
 * (run from the same folder) finds it on whatever port it got.
 */
export const LOCAL_URL_FILE = 'local-url';

export function writeLocalUrl(dataDir: string, url: string): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, LOCAL_URL_FILE), `${url}\n`);
}

/** Removes the file if it still names `url` (another `npm start` may have replaced it). */
export function removeLocalUrl(dataDir: string, url: string): void {
  const file = path.join(dataDir, LOCAL_URL_FILE);
  try {
    if (readFileSync(file, 'utf8').trim() === url) rmSync(file);
  } catch {
    /* already gone */
  }
}

/**
 * The running system's base URL for a client script, with where it came from:
 * `DEMO_URL`, else `PORT` (http://127.0.0.1:PORT), else the URL `npm start`
 * wrote to `<dataDir>/local-url`, else the default port 3000.
 */
export function localBaseUrl(env: NodeJS.ProcessEnv, dataDir: string): { url: string; from: string } {
  if (env.DEMO_URL) return { url: env.DEMO_URL.replace(/\/+$/, ''), from: 'DEMO_URL' };
  if (env.PORT) return { url: `http://127.0.0.1:${env.PORT}`, from: 'PORT' };
  try {
    const written = readFileSync(path.join(dataDir, LOCAL_URL_FILE), 'utf8').trim();
    if (/^http:\/\/127\.0\.0\.1:\d+$/.test(written)) return { url: written, from: path.join(dataDir, LOCAL_URL_FILE) };
  } catch {
    /* npm start is not running from this folder (or is older) */
  }
  return { url: 'http://127.0.0.1:3000', from: 'the default port' };
}
