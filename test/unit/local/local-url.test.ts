import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localBaseUrl, removeLocalUrl, writeLocalUrl } from '../../../scripts/local/local-url.ts';

const dirs: string[] = [];
const fresh = () => {
  const d = path.join(mkdtempSync(path.join(tmpdir(), 'local-url-')), '.data');
  dirs.push(path.dirname(d));
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('where npm run demo finds npm start', () => {
  it('DEMO_URL, then PORT, then the URL npm start wrote, then port 3000', () => {
    const data = fresh();
    expect(localBaseUrl({}, data)).toEqual({ url: 'http://127.0.0.1:3000', from: 'the default port' });
    writeLocalUrl(data, 'http://127.0.0.1:41234');
    expect(localBaseUrl({}, data)).toEqual({ url: 'http://127.0.0.1:41234', from: path.join(data, 'local-url') });
    expect(localBaseUrl({ PORT: '3100' }, data).url).toBe('http://127.0.0.1:3100');
    expect(localBaseUrl({ PORT: '3100', DEMO_URL: 'http://127.0.0.1:9/' }, data).url).toBe('http://127.0.0.1:9');
  });

  it('ignores a file that does not hold a loopback URL', () => {
    const data = fresh();
    writeLocalUrl(data, 'http://127.0.0.1:41234');
    writeFileSync(path.join(data, 'local-url'), 'http://evil.example:80\n');
    expect(localBaseUrl({}, data).url).toBe('http://127.0.0.1:3000');
  });

  it('a stopping npm start removes only its own URL', () => {
    const data = fresh();
    writeLocalUrl(data, 'http://127.0.0.1:5000');
    removeLocalUrl(data, 'http://127.0.0.1:6000'); // another instance's URL: kept
    expect(existsSync(path.join(data, 'local-url'))).toBe(true);
    removeLocalUrl(data, 'http://127.0.0.1:5000');
    expect(existsSync(path.join(data, 'local-url'))).toBe(false);
    removeLocalUrl(data, 'http://127.0.0.1:5000'); // already gone: no throw
  });
});
