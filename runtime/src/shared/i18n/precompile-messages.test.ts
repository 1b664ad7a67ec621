import fs from 'node:fs';
import path from 'node:path';
import { parseAst } from 'vite';
import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import { en as runtimeEn } from '../../i18n/en.ts';
import { zhCN as runtimeZhCN } from '../../i18n/zh-CN.ts';
import { interpolations, messageAt, messageKeys, type MessageTree } from './check-messages.ts';
import { en } from './en.ts';
import { compileMessage, compileMessagesIn, isMessageFile } from './precompile-messages.ts';
import { zhCN } from './zh-CN.ts';

const HELPERS = ['i18n.ts', 'check-messages.ts', 'detect-locale.ts', 'precompile-messages.ts'];

describe('precompileMessages', () => {
  it('compiles the string properties of every object, leaving spreads and references to other trees', () => {
    const code = "import { more } from './more-en.ts';\nexport const en = { a: 'Hi {name}', b: { ...more, c: 'one | {count} items' }, d: more, e: \"a {'@'} b\" };\n";
    const out = compileMessagesIn(code, parseAst(code) as never, 'en.ts');
    expect(out).toContain(`a: ${JSON.stringify(compileMessage('Hi {name}', ''))}`);
    expect(out).toContain(`e: ${JSON.stringify(compileMessage("a {'@'} b", ''))}`);
    expect(out).toContain(`c: ${JSON.stringify(compileMessage('one | {count} items', ''))}`);
    expect(out).toContain('{ ...more, c: ');
    expect(out).toContain('d: more,');
  });

  it('refuses a message it cannot compile ahead, rather than leave it for a page without a compiler', () => {
    const code = 'export const en = { a: `Hi ${name}` };';
    expect(() => compileMessagesIn(code, parseAst(code) as never, 'en.ts')).toThrow(/en\.ts: the message "a"/);
  });

  it('takes every file of the i18n folders but their helpers for a message file', () => {
    const roots = ['runtime/src/i18n', 'runtime/src/shared/i18n', 'designer/src/i18n'].map((dir) => path.resolve(import.meta.dirname, '../../../..', dir));
    const files = roots.flatMap((root) => fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).map((file) => path.join(root, file)));
    const sources = files.filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !HELPERS.includes(path.basename(file)));
    expect(sources.length).toBeGreaterThan(10);
    expect(sources.filter((file) => !isMessageFile(file))).toEqual([]);
    expect(files.filter((file) => HELPERS.includes(path.basename(file)) && isMessageFile(file))).toEqual([]);
  });

  describe.each([
    ['shared', 'zh-CN', zhCN],
    ['shared', 'en', en],
    ['runtime', 'zh-CN', runtimeZhCN],
    ['runtime', 'en', runtimeEn],
  ] as [string, string, MessageTree][])('%s %s messages, compiled ahead', (_name, locale, tree) => {
    const source = createI18n({ legacy: false, locale, messages: { [locale]: tree } }).global;
    // Merged in, as the page does.
    const compiled = createI18n({ legacy: false, locale }).global;
    compiled.mergeLocaleMessage(locale, compileTree(tree));

    it('read exactly as the page compiling them itself would show them, plural forms included', () => {
      for (const key of messageKeys(tree)) {
        const params = Object.fromEntries(interpolations(messageAt(tree, key) ?? '').map((name) => [name, `<${name}>`]));
        for (const count of [1, 2]) expect([key, compiled.t(key, params, count)]).toEqual([key, source.t(key, params, count)]);
      }
    });
  });
});

function compileTree(tree: MessageTree): Record<string, unknown> {
  return Object.fromEntries(Object.entries(tree).map(([key, value]) => [key, typeof value === 'string' ? compileMessage(value, key) : compileTree(value)]));
}
