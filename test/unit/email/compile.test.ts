import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { TemplateCompileError, collapseWhitespace, compileMjml, compileTemplateFile, registerTemplate, templateSourcePath } from '#lib/email/compile.ts';
import { fillSkeleton } from '#lib/email/skeleton.ts';

describe('template compilation', () => {
  it('compiles templates/digest.mjml strictly into a skeleton with placeholders and no MJML left', async () => {
    const { html, file } = await compileTemplateFile('digest');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<mj-/);
    expect(html).toContain('{{#hours}}');
    expect(html).toContain('{{kpis.revenue.value}}');
    expect(file.startsWith('<!-- chatpulse compiled from digest.mjml sha256=')).toBe(true);
    expect(readFileSync(templateSourcePath('digest')!, 'utf8')).toContain('<mjml');
  });

  it('throws on MJML errors instead of rendering a broken email', async () => {
    await expect(compileMjml('<mjml><mj-body><mj-section><mj-column><mj-bogus /></mj-column></mj-section></mj-body></mjml>')).rejects.toBeInstanceOf(
      TemplateCompileError,
    );
    await expect(compileMjml('<mjml><mj-body><mj-text>outside a column</mj-text></mj-body></mjml>')).rejects.toThrow(/MJML errors/);
  });

  it('drops line breaks and indentation between tags, keeps a space inside a line', async () => {
    expect(collapseWhitespace('<table>\n  <tr>\n    <td\n       style="a">x</span> <b>y</b></td>\n  </tr>\n</table>\n')).toBe('<table><tr><td style="a">x</span> <b>y</b></td></tr></table>');
    const { html } = await compileTemplateFile('digest');
    expect(html).not.toContain('\n');
    expect(html).toContain('</span> <strong>{{name}}</strong>');
  });

  it('accepts a skeleton registered directly (a bundle that inlines the HTML)', () => {
    const s = registerTemplate('inline-test', '<!-- chatpulse compiled from inline-test.mjml sha256=' + '0'.repeat(64) + ' -->\n<p>{{x}}</p>');
    expect(fillSkeleton(s, { x: 'ok' })).toBe('<p>ok</p>');
  });
});
