import { describe, expect, it } from 'vitest';
import { compileScript } from './compile.ts';

const codes = (source: string) => compileScript(source).diagnostics.map((d) => d.code);

describe('compiling a script', () => {
  it('turns TypeScript into an ES2023 module whose default export is the function, types erased', () => {
    const result = compileScript(
      [
        'type Stage = "new" | "won";',
        'const pick = (s: Stage): Stage => s;',
        'export default async function (): Promise<string> {',
        '  const found = await records.find("deal", { limit: 5 });',
        '  return pick("won") + found.length;',
        '}',
      ].join('\n'),
    );
    expect(result).toEqual({ ok: true, javascript: expect.any(String), diagnostics: [] });
    expect(result.javascript).toBe(
      ['const pick = (s) => s;', 'export default async function () {', '    const found = await records.find("deal", { limit: 5 });', '    return pick("won") + found.length;', '}', ''].join('\n'),
    );
  });

  it('keeps what ES2023 has (async, ?., ??, class fields) as it is, and writes needed helpers into the output, never imports them', () => {
    const result = compileScript('class A { #n = 1; get n() { return this.#n ?? 0; } }\nexport default async () => new A().n?.toFixed();');
    expect(result.ok).toBe(true);
    expect(result.javascript).toContain('#n = 1');
    expect(result.javascript).toContain('?.toFixed()');
    expect(result.javascript).not.toMatch(/\bimport\b|require\(/);
  });

  it('reports a syntax error with its 1-based line and column, and gives no JavaScript', () => {
    const result = compileScript('export default function () {\n  const x = ;\n}');
    expect(result.ok).toBe(false);
    expect(result.javascript).toBeUndefined();
    expect(result.diagnostics).toEqual([
      { line: 2, column: 13, endLine: 2, endColumn: 14, message: 'Expression expected.', code: 'TS1109', severity: 'error', kind: 'syntax' },
    ]);
  });

  it('reports every syntax error of a broken script, never throwing', () => {
    for (const source of ['', '}}}', 'export default function (', '\u0000', 'export default `unterminated', '/* never closed', '😀😀 = 1']) {
      const result = compileScript(source);
      expect(result.ok).toBe(false);
      expect(result.diagnostics.length).toBeGreaterThan(0);
    }
  });
});

describe('what the sandbox cannot run', () => {
  it('refuses imports of any kind, pointing at each', () => {
    const result = compileScript(
      [
        'import fs from "node:fs";',
        'import type { X } from "./types";',
        'export * from "lodash";',
        'import x = require("y");',
        'export default async function () {',
        '  const m = await import("http");',
        '  let t: import("z").T;',
        '}',
      ].join('\n'),
    );
    expect(result.ok).toBe(false);
    expect(result.javascript).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([
      ['SCRIPT_IMPORT', 1, 1],
      ['SCRIPT_IMPORT', 2, 1],
      ['SCRIPT_IMPORT', 3, 1],
      ['SCRIPT_IMPORT', 4, 1],
      ['SCRIPT_IMPORT', 6, 19],
      ['SCRIPT_IMPORT', 7, 10],
    ]);
    expect(result.diagnostics[0]!.message).toBe('Scripts cannot import modules ("node:fs"): the Threadbase API (records, thread, http, log, env, ctx) is already there as globals.');
    expect(result.diagnostics.every((d) => d.kind === 'sandbox' && d.severity === 'error')).toBe(true);
  });

  it('refuses require, with the call as the span', () => {
    const result = compileScript('const lib = require("lodash");\nexport default () => lib;');
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ code: 'SCRIPT_REQUIRE', line: 1, column: 13, endLine: 1, endColumn: 30, kind: 'sandbox' }),
    ]);
  });

  it('refuses a script without a default export, in the caller\'s language', () => {
    expect(compileScript('export function run() {}').diagnostics).toEqual([
      expect.objectContaining({ code: 'SCRIPT_NO_DEFAULT_EXPORT', line: 1, column: 1, endLine: 1, endColumn: 1 }),
    ]);
    expect(compileScript('const run = () => 1;', { locale: 'zh-CN' }).diagnostics[0]!.message).toBe('脚本必须默认导出一个函数：export default async function () { … }');
    expect(codes('module.exports = function () {}')).toEqual(['SCRIPT_NO_DEFAULT_EXPORT']);
    expect(codes('const f = () => 1;\nexport = f;')).toEqual(['SCRIPT_NO_DEFAULT_EXPORT']);
  });

  it('accepts the ways of default-exporting a function, and refuses what is plainly not one', () => {
    for (const ok of [
      'export default function run() {}',
      'export default async function () {}',
      'export default async () => 1;',
      'export default (function () {});',
      'const run = () => 1;\nexport default run;',
      'const run = () => 1;\nexport { run as default };',
      'export default (async () => 1) satisfies () => Promise<number>;',
    ]) {
      expect(codes(ok), ok).toEqual([]);
    }
    for (const notFunction of ['export default 42;', 'export default { run() {} };', 'export default class Job {}', 'export default "run";', 'export default interface Shape {}']) {
      expect(codes(notFunction), notFunction).toEqual(['SCRIPT_DEFAULT_NOT_FUNCTION']);
    }
  });

  it('does not say the default export is missing when a syntax error may have hidden it', () => {
    expect(codes('export default function () {\n  if (\n}')).toEqual(expect.not.arrayContaining(['SCRIPT_NO_DEFAULT_EXPORT']));
  });
});
