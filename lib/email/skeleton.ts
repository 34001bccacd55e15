/**
 * The fill step of the compiled email templates: a logic-less, Mustache-like
 * subset, parsed once per skeleton and filled per email in well under a
 * millisecond.
 *
 * - `{{a.b}}` inserts a value as is: the view model has already HTML-escaped
 *   every string (see `escapeHtml`), so the filler never escapes (and never
 *   double-escapes). A missing or non-scalar value is an error, so a template
 *   and a view model that drift apart fail loudly instead of mailing "{{x}}".
 * - `{{#list}}…{{/list}}` repeats for each item of an array (the item becomes
 *   the innermost context); for `true` or an object it renders once; for
 *   `false`, `null`, `''`, `0` or `[]` not at all.
 * - `{{^list}}…{{/list}}` renders only when `list` is empty or falsy.
 *
 * Names are looked up in the innermost context first, then outwards.
 */

type Node = { kind: 'text'; text: string } | { kind: 'var'; path: string[] } | { kind: 'section'; path: string[]; inverted: boolean; children: Node[] };

/** A compiled skeleton, parsed into text, variables and sections. */
export type Skeleton = { readonly nodes: readonly Node[]; readonly source: string };

const TAG = /\{\{\s*([#^/]?)\s*([\w.]+)\s*\}\}/g;

/** Parses a skeleton once; throws on unbalanced sections. */
export function parseSkeleton(source: string): Skeleton {
  const root: Node[] = [];
  const stack: Array<{ name: string; children: Node[] }> = [{ name: '', children: root }];
  let last = 0;
  for (const m of source.matchAll(TAG)) {
    const top = stack[stack.length - 1]!;
    if (m.index > last) top.children.push({ kind: 'text', text: source.slice(last, m.index) });
    last = m.index + m[0].length;
    const [, sigil, name] = m as unknown as [string, string, string];
    if (sigil === '') top.children.push({ kind: 'var', path: name.split('.') });
    else if (sigil === '/') {
      if (stack.length === 1 || top.name !== name) throw new Error(`template: {{/${name}}} closes ${top.name ? `{{#${top.name}}}` : 'nothing'}`);
      stack.pop();
    } else {
      const node: Node = { kind: 'section', path: name.split('.'), inverted: sigil === '^', children: [] };
      top.children.push(node);
      stack.push({ name, children: node.children });
    }
  }
  if (stack.length > 1) throw new Error(`template: {{#${stack[stack.length - 1]!.name}}} is never closed`);
  if (last < source.length) root.push({ kind: 'text', text: source.slice(last) });
  return { nodes: root, source };
}

function lookup(contexts: unknown[], path: string[]): unknown {
  for (let i = contexts.length - 1; i >= 0; i--) {
    const ctx = contexts[i];
    if (ctx !== null && typeof ctx === 'object' && path[0]! in ctx) {
      let v: unknown = ctx;
      for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      return v;
    }
  }
  return undefined;
}

const truthy = (v: unknown) => (Array.isArray(v) ? v.length > 0 : Boolean(v));

function fill(nodes: readonly Node[], contexts: unknown[], out: string[]): void {
  for (const node of nodes) {
    if (node.kind === 'text') out.push(node.text);
    else if (node.kind === 'var') {
      const v = lookup(contexts, node.path);
      if (typeof v === 'string') out.push(v);
      else if (typeof v === 'number' && Number.isFinite(v)) out.push(String(v));
      else throw new Error(`template: {{${node.path.join('.')}}} has no string or number value`);
    } else {
      const v = lookup(contexts, node.path);
      if (node.inverted) {
        if (!truthy(v)) fill(node.children, contexts, out);
      } else if (Array.isArray(v)) {
        for (const item of v) fill(node.children, [...contexts, item], out);
      } else if (truthy(v)) {
        fill(node.children, typeof v === 'object' ? [...contexts, v] : contexts, out);
      }
    }
  }
}

/** Fills a parsed skeleton with a view (strings already HTML-escaped). */
export function fillSkeleton(skeleton: Skeleton, view: object): string {
  const out: string[] = [];
  fill(skeleton.nodes, [view], out);
  return out.join('');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML text and attribute values. (Filled values are never
 * parsed again, so a `{{` inside data stays text.)
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Inverse of `escapeHtml`, for the plain-text part. */
export function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
}
