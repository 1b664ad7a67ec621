import { describe, expect, it } from 'vitest';
import { en as runtimeEn } from '../../i18n/en.ts';
import { zhCN as runtimeZhCN } from '../../i18n/zh-CN.ts';
import { compileProblems, messageAt, messageKeys, interpolations, type MessageTree } from './check-messages.ts';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

const catalogues: [string, MessageTree, MessageTree][] = [
  ['shared', zhCN, en],
  ['runtime', runtimeZhCN, runtimeEn],
];

describe.each(catalogues)('%s messages', (_name, zh, english) => {
  it('have exactly the same keys in zh-CN and en', () => {
    expect(messageKeys(english).sort()).toEqual(messageKeys(zh).sort());
  });

  it('all compile', () => {
    expect(compileProblems(zh)).toEqual([]);
    expect(compileProblems(english)).toEqual([]);
  });

  it('use the same interpolations in both languages', () => {
    for (const key of messageKeys(zh)) expect([key, interpolations(messageAt(english, key) ?? '')]).toEqual([key, interpolations(messageAt(zh, key) ?? '')]);
  });

  it('leave no message empty', () => {
    for (const tree of [zh, english]) expect(messageKeys(tree).filter((key) => !messageAt(tree, key)?.trim())).toEqual([]);
  });
});

describe('runtime and shared messages', () => {
  it('do not share a top-level key, so merging them loses nothing', () => {
    expect(Object.keys(runtimeZhCN).filter((key) => key in zhCN)).toEqual([]);
  });
});

describe('compileProblems', () => {
  it('reports a message that would fail at runtime', () => {
    expect(compileProblems({ bad: 'write to admin@' })).not.toEqual([]);
    expect(compileProblems({ bad: 'unclosed {count' })).not.toEqual([]);
  });
});
