/**
 * The report's one escaping path: every value interpolated into a {@link markup} template is
 * escaped for HTML text and attribute values, unless it is itself the result of `markup` (already
 * safe) or an array of such results. Nothing else reaches the page unescaped, so a string from a
 * run directory (a sample id, a class name, a finding's message, a plugin file) can never become
 * markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and (quoted) attribute values. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function part(v: unknown): string {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === undefined || v === null) return '';
  return esc(v);
}

/** A tagged template: `markup\`<td>${value}</td>\`` escapes `value`; nested `markup` results pass as they are. */
export function markup(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => (out += part(v) + strings[i + 1]!));
  return new SafeHtml(out);
}

/**
 * Trusted text the report itself ships (its stylesheet, uPlot's code): passes unescaped. Never
 * for anything read from a run directory.
 */
export function trusted(s: string): SafeHtml {
  return new SafeHtml(s);
}
