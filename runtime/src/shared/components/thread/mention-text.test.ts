import { describe, expect, it } from 'vitest';
import { insertMention, mentionQuery, mentionSegments, mentionedIds } from './mention-text.ts';

describe('mentionQuery', () => {
  it('finds the @word typed at the caret, at the start, after a space or right after Chinese', () => {
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('hi @Em', 6)).toEqual({ start: 3, query: 'Em' });
    expect(mentionQuery('请 @周', 4)).toEqual({ start: 2, query: '周' });
    expect(mentionQuery('请@周', 3)).toEqual({ start: 1, query: '周' });
    expect(mentionQuery('line\n@zh', 8)).toEqual({ start: 5, query: 'zh' });
  });

  it('ignores an @ inside a word, a finished name and a caret before the @', () => {
    expect(mentionQuery('mail me@example', 15)).toBeNull();
    expect(mentionQuery('@Emma Seller said', 17)).toBeNull();
    expect(mentionQuery('hi @Em', 2)).toBeNull();
    expect(mentionQuery('no mention', 10)).toBeNull();
  });

  it('reads only up to the caret', () => {
    expect(mentionQuery('@Emma later', 3)).toEqual({ start: 0, query: 'Em' });
  });
});

describe('insertMention', () => {
  it('replaces the query with the name and a space, caret after it', () => {
    expect(insertMention('hi @Em', 6, 3, 'Emma Seller')).toEqual({ text: 'hi @Emma Seller ', caret: 16 });
  });

  it('keeps what follows the caret without doubling its space', () => {
    expect(insertMention('@周 请看', 2, 0, '周审核')).toEqual({ text: '@周审核 请看', caret: 5 });
  });
});

describe('mentionedIds', () => {
  it('keeps the people whose @Name is still in the text', () => {
    const picked = new Map([['u1', 'Emma Seller'], ['u2', '周审核']]);
    expect(mentionedIds('@Emma Seller please check', picked)).toEqual(['u1']);
    expect(mentionedIds('@周审核 and @Emma Seller', picked)).toEqual(['u1', 'u2']);
    expect(mentionedIds('nobody', picked)).toEqual([]);
  });
});

describe('mentionSegments', () => {
  it('cuts the body into text and mentions of the names given', () => {
    expect(mentionSegments('请 @周审核 看一下 @Emma Seller', ['周审核', 'Emma Seller'])).toEqual([
      { text: '请 ', mention: null },
      { text: '@周审核', mention: '周审核' },
      { text: ' 看一下 ', mention: null },
      { text: '@Emma Seller', mention: 'Emma Seller' },
    ]);
  });

  it('prefers the longer of two names sharing a start and leaves other @words as text', () => {
    expect(mentionSegments('@Emma Seller and @Emma', ['Emma', 'Emma Seller']).map((s) => s.mention)).toEqual(['Emma Seller', null, 'Emma']);
    expect(mentionSegments('@Bob (a.b) hi', [])).toEqual([{ text: '@Bob (a.b) hi', mention: null }]);
    expect(mentionSegments('see @a.b', ['a.b'])).toEqual([{ text: 'see ', mention: null }, { text: '@a.b', mention: 'a.b' }]);
  });
});
