/** What a secret is replaced by. */
export const REDACTED = '***';

/** Shorter secrets are not looked for (they would match everywhere), nor shorter cut-off starts of one. */
const MIN_CHARS = 4;

/** A value as JSON.stringify writes it inside a string: how it shows in a logged object. */
const escaped = (value: string) => JSON.stringify(value).slice(1, -1);

/**
 * Takes secret values out of what leaves a run: its logs, its error (message, code, stack), its effects
 * and its result. A secret is looked for as it is and as it shows escaped by JSON once or twice (a
 * value inside a logged object, or inside a JSON string inside one). The sandbox cuts long messages only
 * at their end, so a string that ends with the start of a secret (at least 4 characters of it) loses
 * that end too: the cut-off start of a secret is as much a leak as the whole.
 */
export class Redactor {
  readonly #forms: string[];

  constructor(secrets: Iterable<string>) {
    const forms = new Set<string>();
    for (const secret of secrets) {
      if (secret.length < MIN_CHARS) continue;
      const once = escaped(secret);
      for (const form of [secret, once, escaped(once)]) forms.add(form);
    }
    // Longest first: a secret that contains another is replaced whole.
    this.#forms = [...forms].sort((a, b) => b.length - a.length);
  }

  text(text: string): string {
    if (this.#forms.length === 0) return text;
    let out = text;
    for (const form of this.#forms) if (out.includes(form)) out = out.replaceAll(form, REDACTED);
    const cut = this.#cutStart(out);
    return cut ? out.slice(0, out.length - cut) + REDACTED : out;
  }

  /** A JSON value with every string in it, and every key, redacted. */
  json<T>(value: T): T {
    if (this.#forms.length === 0) return value;
    return this.#walk(value) as T;
  }

  #walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.#walk(v));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.text(k), this.#walk(v)]));
    return value;
  }

  /** How many characters at the end of `text` are the start (but not the whole) of a secret: 0 if none. */
  #cutStart(text: string): number {
    let longest = 0;
    for (const form of this.#forms) {
      // From the earliest place such a start could begin: the first that fits is the longest.
      let at = text.indexOf(form[0]!, Math.max(0, text.length - form.length + 1));
      while (at >= 0 && text.length - at >= Math.max(MIN_CHARS, longest + 1)) {
        if (form.startsWith(text.slice(at))) {
          longest = text.length - at;
          break;
        }
        at = text.indexOf(form[0]!, at + 1);
      }
    }
    return longest;
  }
}
