/**
 * Search lexemes (ARCHITECTURE rule 7). Chinese is written without spaces, and Node's Intl.Segmenter
 * splits 商机超时 into 商/机/超/时, so word segmentation alone never finds 商机 in it. As Lucene's CJK
 * analyzer does, a run of CJK characters becomes its overlapping bigrams (商机 机超 超时), other text
 * lower-cased words; a query goes through the same `tokenize` and its lexemes are AND-ed, so "商机"
 * finds 商机超时未跟进 and not 商品机器 (商品 品机 机器).
 *
 * One-character queries: each run's last character is indexed on its own too (a `tail`), and a query
 * of one CJK character matches as a prefix (`商:*`). Every occurrence of a character either starts a
 * bigram or ends its run, so the prefix finds them all, for one extra lexeme per run instead of one per
 * character (indexing every unigram).
 */

/** `head` is where the token's first character ends: a one-character query highlights only that part of a bigram. */
export type Token = { lexeme: string; kind: 'word' | 'bigram' | 'unigram' | 'tail'; start: number; end: number; head: number };
export type QueryTerm = { lexeme: string; prefix: boolean };

const LETTER = /[\p{L}\p{N}\p{M}]/u;
// Script extensions, so that marks shared by kana (ー) count; punctuation is already out (not LETTER).
const CJK = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/u;
/** A base character with its combining marks: normalised together, so that decomposed and composed text agree. */
const CLUSTER = /\P{M}\p{M}*|\p{M}+/gu;
/** Far below PostgreSQL's 2 KB per lexeme; a query's long word is cut the same way, so it still matches. */
const MAX_WORD = 100;
/** PostgreSQL keeps positions up to this value and silently caps larger ones. */
const MAX_POSITION = 16383;

type Char = { c: string; cjk: boolean; start: number; end: number };

/** Normalised (NFKC: full-width Ａ１，→ A1,) lower-cased characters with their place in the original text; null separates. */
function* characters(text: string): Generator<Char | null> {
  for (const match of text.matchAll(CLUSTER)) {
    const start = match.index;
    const end = start + match[0].length;
    for (const c of match[0].normalize('NFKC').toLowerCase()) yield LETTER.test(c) ? { c, cjk: CJK.test(c), start, end } : null;
  }
}

function runTokens(run: Char[]): Token[] {
  if (!run[0]!.cjk) {
    const lexeme = run.slice(0, MAX_WORD).map((ch) => ch.c).join('');
    return [{ lexeme, kind: 'word', start: run[0]!.start, end: run.at(-1)!.end, head: run[0]!.end }];
  }
  const one = (ch: Char, kind: 'unigram' | 'tail'): Token => ({ lexeme: ch.c, kind, start: ch.start, end: ch.end, head: ch.end });
  if (run.length === 1) return [one(run[0]!, 'unigram')];
  const bigrams = run.slice(1).map((ch, i): Token => ({ lexeme: run[i]!.c + ch.c, kind: 'bigram', start: run[i]!.start, end: ch.end, head: run[i]!.end }));
  return [...bigrams, one(run.at(-1)!, 'tail')];
}

/** The tokens of a text in order, offsets in UTF-16 units of the original text. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let run: Char[] = [];
  const flush = () => {
    if (run.length) tokens.push(...runTokens(run));
    run = [];
  };
  for (const ch of characters(text)) {
    if (!ch || (run.length && run[0]!.cjk !== ch.cjk)) flush();
    if (ch) run.push(ch);
  }
  flush();
  return tokens;
}

/** What a query asks for: every term must match. Tails are left out: the bigrams already say it. */
export function queryTerms(query: string): QueryTerm[] {
  const terms = new Map<string, QueryTerm>();
  for (const token of tokenize(query)) {
    if (token.kind !== 'tail') terms.set(token.lexeme, { lexeme: token.lexeme, prefix: token.kind === 'unigram' });
  }
  return [...terms.values()];
}

const quote = (lexeme: string) => `'${lexeme.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

/** The text as a `tsvector` literal, positions in token order (for ts_rank). Empty when the text has no lexemes. */
export function tsvectorLiteral(text: string): string {
  const positions = new Map<string, number[]>();
  tokenize(text).forEach((token, i) => {
    const list = positions.get(token.lexeme) ?? [];
    list.push(Math.min(i + 1, MAX_POSITION));
    positions.set(token.lexeme, list);
  });
  return [...positions].map(([lexeme, list]) => `${quote(lexeme)}:${[...new Set(list)].join(',')}`).join(' ');
}

/** The terms as a `tsquery` literal: AND-ed, a lone CJK character as a prefix. */
export function tsqueryLiteral(terms: QueryTerm[]): string {
  return terms.map((t) => quote(t.lexeme) + (t.prefix ? ':*' : '')).join(' & ');
}
