import { tokenize, type QueryTerm } from './search-tokens.ts';

/** A matched part of a snippet, in UTF-16 units: `snippet.slice(start, end)`. */
export type Highlight = { start: number; end: number };

const WIDTH = 160;
const BEFORE = 40;
const ELLIPSIS = '…';

/** Where the terms match in `text`, merged and in order. A one-character term marks only that character of a bigram. */
export function highlights(text: string, terms: QueryTerm[]): Highlight[] {
  const ranges: Highlight[] = [];
  for (const token of tokenize(text)) {
    for (const term of terms) {
      if (term.prefix ? token.kind !== 'word' && token.lexeme.startsWith(term.lexeme) : token.lexeme === term.lexeme) {
        ranges.push({ start: token.start, end: term.prefix ? token.head : token.end });
      }
    }
  }
  ranges.sort((a, b) => a.start - b.start);
  const merged: Highlight[] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

const isLowSurrogate = (text: string, i: number) => /[\uDC00-\uDFFF]/.test(text[i] ?? '');

/**
 * The part of `text` around its first match, at most WIDTH units, with "…" where it was cut, and the
 * matches inside it. Plain text: a client renders the highlights itself, so nothing here is HTML.
 */
export function snippet(text: string, terms: QueryTerm[]): { snippet: string; highlights: Highlight[] } {
  const all = highlights(text, terms);
  if (text.length <= WIDTH) return { snippet: text, highlights: all };
  let start = Math.max(0, Math.min((all[0]?.start ?? 0) - BEFORE, text.length - WIDTH));
  let end = Math.min(text.length, start + WIDTH);
  if (isLowSurrogate(text, start)) start++;
  if (isLowSurrogate(text, end)) end--;
  const lead = start > 0 ? ELLIPSIS : '';
  const shift = lead.length - start;
  const inside = all.filter((h) => h.start < end && h.end > start).map((h) => ({ start: Math.max(h.start, start) + shift, end: Math.min(h.end, end) + shift }));
  return { snippet: lead + text.slice(start, end) + (end < text.length ? ELLIPSIS : ''), highlights: inside };
}
