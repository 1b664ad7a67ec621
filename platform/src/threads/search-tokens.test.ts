import { describe, expect, it } from 'vitest';
import { snippet } from './search-snippet.ts';
import { queryTerms, tokenize, tsqueryLiteral, tsvectorLiteral } from './search-tokens.ts';

const lexemes = (text: string) => tokenize(text).map((t) => t.lexeme);
const query = (q: string) => queryTerms(q).map((t) => (t.prefix ? `${t.lexeme}:*` : t.lexeme));

/** The AND of a query's terms over a text's lexemes, as PostgreSQL evaluates `tsvector @@ tsquery`. */
function matches(text: string, q: string): boolean {
  const indexed = new Set(lexemes(text));
  return queryTerms(q).every((t) => (t.prefix ? [...indexed].some((l) => l.startsWith(t.lexeme)) : indexed.has(t.lexeme)));
}

describe('search tokens', () => {
  it('turns a CJK run into overlapping bigrams, its last character on its own, and a lone character into a unigram', () => {
    expect(lexemes('商机超时未跟进')).toEqual(['商机', '机超', '超时', '时未', '未跟', '跟进', '进']);
    expect(lexemes('客户跟进记录')).toEqual(['客户', '户跟', '跟进', '进记', '记录', '录']);
    expect(tokenize('我')).toEqual([{ lexeme: '我', kind: 'unigram', start: 0, end: 1, head: 1 }]);
  });

  it('finds 商机超时未跟进 by 商机 or 超时, and 客户跟进记录 by 跟进', () => {
    expect(query('商机')).toEqual(['商机']);
    expect(matches('商机超时未跟进', '商机')).toBe(true);
    expect(matches('商机超时未跟进', '超时')).toBe(true);
    expect(matches('客户跟进记录', '跟进')).toBe(true);
    expect(matches('商机超时未跟进', '跟进 商机')).toBe(true);
    expect(matches('客户跟进记录', '跟进 商机')).toBe(false);
  });

  it('does not find 商品机器 by 商机, although both characters are in it', () => {
    expect(lexemes('商品机器')).toEqual(['商品', '品机', '机器', '器']);
    expect(matches('商品机器', '商机')).toBe(false);
  });

  it('finds one character wherever it stands: starting a bigram, ending a run, or alone', () => {
    expect(query('跟')).toEqual(['跟:*']);
    expect(matches('客户跟进记录', '跟')).toBe(true);
    expect(matches('客户跟进记录', '录')).toBe(true);
    expect(matches('客户跟进记录', '客')).toBe(true);
    expect(matches('A 我 B', '我')).toBe(true);
    expect(matches('客户跟进记录', '商')).toBe(false);
    expect(tsqueryLiteral(queryTerms('跟 进度'))).toBe("'跟':* & '进度'");
  });

  it('lower-cases Latin words and digits next to CJK runs, and splits at punctuation', () => {
    expect(lexemes('跟进ACME公司 Q3 renewal')).toEqual(['跟进', '进', 'acme', '公司', '司', 'q3', 'renewal']);
    expect(lexemes('Hello, world! (v1.2) e-mail；你好。再见')).toEqual(['hello', 'world', 'v1', '2', 'e', 'mail', '你好', '好', '再见', '见']);
    expect(matches('跟进ACME公司 Q3 renewal', 'acme RENEWAL')).toBe(true);
    expect(matches('跟进ACME公司 Q3 renewal', 'ACME公司')).toBe(true);
    expect(matches('跟进ACME公司 Q3 renewal', 'renewals')).toBe(false);
    expect(queryTerms('！？。，、 ...')).toEqual([]);
  });

  it('reads full-width letters, digits and spaces as their ordinary forms, and composed and decomposed accents alike', () => {
    expect(lexemes('ＡＣＭＥ　２０２４年，Ｑ３')).toEqual(['acme', '2024', '年', 'q3']);
    expect(matches('ACME 2024 Q3', 'ａｃｍｅ')).toBe(true);
    expect(lexemes('cafe\u0301 café')).toEqual(['café', 'café']);
    expect(lexemes('ｶﾀｶﾅ')).toEqual(['カタ', 'タカ', 'カナ', 'ナ']);
  });

  it('keeps offsets into the original text, across characters outside the BMP', () => {
    const text = '😀 商机 ＡＢ';
    expect(tokenize(text).map((t) => text.slice(t.start, t.end))).toEqual(['商机', '机', 'ＡＢ']);
  });

  it('writes a tsvector literal with positions in token order and quotes safely', () => {
    expect(tsvectorLiteral('商机 商机')).toBe("'商机':1,3 '机':2,4");
    expect(tsvectorLiteral('...')).toBe('');
    expect(lexemes('x'.repeat(500))[0]).toHaveLength(100);
  });
});

describe('search snippets', () => {
  it('marks the matched part: bigrams merged into one range, a one-character query only its character', () => {
    expect(snippet('商机超时未跟进', queryTerms('超时'))).toEqual({ snippet: '商机超时未跟进', highlights: [{ start: 2, end: 4 }] });
    expect(snippet('商机超时未跟进', queryTerms('商机超时'))).toEqual({ snippet: '商机超时未跟进', highlights: [{ start: 0, end: 4 }] });
    expect(snippet('客户跟进记录', queryTerms('跟')).highlights).toEqual([{ start: 2, end: 3 }]);
    expect(snippet('跟进ACME公司 Q3 renewal', queryTerms('acme renewal')).highlights).toEqual([
      { start: 2, end: 6 },
      { start: 12, end: 19 },
    ]);
  });

  it('cuts a long text around its first match, with ellipses, highlights shifted into the snippet', () => {
    const text = `${'前'.repeat(300)}商机超时${'后'.repeat(300)}`;
    const { snippet: cut, highlights } = snippet(text, queryTerms('商机'));
    expect(cut.startsWith('…') && cut.endsWith('…')).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(162);
    expect(cut.slice(highlights[0]!.start, highlights[0]!.end)).toBe('商机');
  });
});
