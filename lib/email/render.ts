import { digestSkeleton } from '#lib/email/compile.ts';
import type { DigestView } from '#lib/email/view-model.ts';

/**
 * Fills the compiled skeleton with a view's slots (values are HTML already
 * escaped by the view model). An unknown or missing slot is an error, so a
 * template and view model that drift apart fail loudly.
 */
export function renderDigest(view: DigestView, skeleton = digestSkeleton()): { subject: string; html: string; text: string } {
  const html = skeleton.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const v = view.slots[name];
    if (v === undefined) throw new Error(`digest template slot {{${name}}} has no value`);
    return v;
  });
  return { subject: view.subject, html, text: view.text };
}
