import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The README sends newcomers to docs/ and docs/ back to the README: every
 * relative link must land on a file that exists and, with `#anchor`, on a
 * heading of that file (GitHub's slugs: lower case, punctuation dropped,
 * spaces to hyphens).
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const docs = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
}

describe('documentation links', () => {
  it('slugs headings as GitHub does', () => {
    expect(slug('Settings and local secrets (`npm start`)')).toBe('settings-and-local-secrets-npm-start');
    expect(slug('Delete a shop, erase a person')).toBe('delete-a-shop-erase-a-person');
  });

  it('README and docs/ have the pages a newcomer needs', () => {
    for (const f of ['docs/api.md', 'docs/metrics.md', 'docs/operations.md', 'docs/configure.md']) expect(existsSync(path.join(root, f)), f).toBe(true);
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  for (const file of docs) {
    it(`every relative link of ${file} resolves`, () => {
      const text = readFileSync(path.join(root, file), 'utf8');
      const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/i.test(l));
      for (const link of links) {
        const [target, anchor] = link.split('#') as [string, string | undefined];
        const resolved = target === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
        expect(existsSync(path.join(root, resolved)), `${file} → ${link}`).toBe(true);
        if (anchor && resolved.endsWith('.md')) expect(anchorsOf(resolved).has(anchor), `${file} → ${link}`).toBe(true);
      }
    });
  }
});
