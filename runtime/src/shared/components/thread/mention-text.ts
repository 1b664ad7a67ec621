/** The `@word` being typed at the caret: where its `@` is and what follows it. */
export type MentionQuery = { start: number; query: string };
export type Segment = { text: string; mention: string | null };

/** Long enough for a Chinese or a Western full name; longer runs are text, not a name being picked. */
const MAX_QUERY = 32;

/**
 * The mention being typed, if the caret is just after `@` and some letters, with no space between. The
 * `@` may follow anything but a Latin letter, digit or `.+-_`: `请@周` is a mention, `name@example.com` not.
 */
export function mentionQuery(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  if (at > 0 && /[\w.+-]/.test(before[at - 1]!)) return null;
  const query = before.slice(at + 1);
  if (query.length > MAX_QUERY || /\s/.test(query)) return null;
  return { start: at, query };
}

/** Replaces the `@query` at `start` with `@Name ` and puts the caret after it. */
export function insertMention(text: string, caret: number, start: number, name: string): { text: string; caret: number } {
  const inserted = `@${name} `;
  const after = text.slice(caret).replace(/^ /, '');
  return { text: text.slice(0, start) + inserted + after, caret: start + inserted.length };
}

/** Of the people picked while typing, those whose `@Name` is still in the text (one may delete it again). */
export function mentionedIds(text: string, picked: ReadonlyMap<string, string>): string[] {
  return [...picked].filter(([, name]) => text.includes(`@${name}`)).map(([id]) => id);
}

/**
 * The body cut into plain text and `@Name` runs of the people it mentions, for highlighting. Longer
 * names are tried first, so "@Emma Seller" is not read as "@Emma" when both are mentioned.
 */
export function mentionSegments(body: string, names: readonly string[]): Segment[] {
  const wanted = [...new Set(names.filter(Boolean))].sort((a, b) => b.length - a.length);
  if (wanted.length === 0) return body ? [{ text: body, mention: null }] : [];
  const pattern = new RegExp(`@(${wanted.map(escapeRegExp).join('|')})`, 'gu');
  const segments: Segment[] = [];
  let last = 0;
  for (const match of body.matchAll(pattern)) {
    if (match.index > last) segments.push({ text: body.slice(last, match.index), mention: null });
    segments.push({ text: match[0], mention: match[1]! });
    last = match.index + match[0].length;
  }
  if (last < body.length) segments.push({ text: body.slice(last), mention: null });
  return segments;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
