import { compileProblems, messageAt, messageKeys, interpolations, sharedZhCN } from '@threadbase/runtime/shared/testing';
import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

describe('designer messages', () => {
  it('have exactly the same keys in zh-CN and en', () => {
    expect(messageKeys(en).sort()).toEqual(messageKeys(zhCN).sort());
  });

  it('all compile', () => {
    expect(compileProblems(zhCN)).toEqual([]);
    expect(compileProblems(en)).toEqual([]);
  });

  it('use the same interpolations in both languages', () => {
    for (const key of messageKeys(zhCN)) expect([key, interpolations(messageAt(en, key) ?? '')]).toEqual([key, interpolations(messageAt(zhCN, key) ?? '')]);
  });

  it('leave no message empty', () => {
    for (const tree of [zhCN, en]) expect(messageKeys(tree).filter((key) => !messageAt(tree, key)?.trim())).toEqual([]);
  });

  it('do not share a top-level key with the shared messages, so merging them loses nothing', () => {
    expect(Object.keys(zhCN).filter((key) => key in sharedZhCN)).toEqual([]);
  });
});
