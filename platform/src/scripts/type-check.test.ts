import { describe, expect, it } from 'vitest';
import { everyTypeObjects } from './scripts-fixture.ts';
import { libSourceFiles } from './lib-files.ts';
import { generateTypeDefinitions } from './type-definitions.ts';
import { typeCheckScript } from './type-check.ts';

const types = { key: 'every-type-v1', text: generateTypeDefinitions(everyTypeObjects(), 1) };
const script = (n: number) => `export default async function () {
  const deal = await records.get('deal', 'id-${n}');
  if (!deal || deal.stage !== 'won') return null;
  await thread.post(\`Won: \${deal.title} (\${deal.amount?.amount ?? '?'} \${deal.amount?.currency ?? ''})\`);
  return deal.number;
}`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('type-checking a script', () => {
  it('is fast once warm: lib files and declarations are parsed once, only the script anew', () => {
    const cold = typeCheckScript(script(0), types);
    expect(cold.diagnostics).toEqual([]);
    const libs = libSourceFiles();
    const warm = Array.from({ length: 15 }, (_, i) => typeCheckScript(script(i + 1), types));
    for (const result of warm) expect(result.diagnostics).toEqual([]);
    expect(libSourceFiles()).toBe(libs);
    const otherVersion = typeCheckScript(script(99), { ...types, key: 'every-type-v2' });
    console.log(
      `type-check: cold ${cold.ms.toFixed(0)} ms, warm median ${median(warm.map((r) => r.ms)).toFixed(1)} ms (min ${Math.min(...warm.map((r) => r.ms)).toFixed(1)}), new declarations ${otherVersion.ms.toFixed(0)} ms`,
    );
    // Tens of milliseconds on a quiet machine; the bound leaves room for a loaded CI runner.
    expect(median(warm.map((r) => r.ms))).toBeLessThan(250);
  });

  it('gives syntax errors alone when the script does not parse: type errors would only echo them', () => {
    const { diagnostics } = typeCheckScript('export default function () {\n  const x: number = "a";\n  return (\n}', types);
    expect(diagnostics.map((d) => [d.kind, d.code])).toEqual([['syntax', 'TS1109']]);
  });

  it('marks type errors as such, with their positions and severity', () => {
    const { diagnostics } = typeCheckScript('export default function () {\n  const x: number = "a";\n  return x;\n}', types);
    expect(diagnostics).toEqual([
      { line: 2, column: 9, endLine: 2, endColumn: 10, message: "Type 'string' is not assignable to type 'number'.", code: 'TS2322', severity: 'error', kind: 'type' },
    ]);
  });

  it('knows only what the sandbox has: ES2023, no DOM, no Node', () => {
    const { diagnostics } = typeCheckScript('export default () => [document.title, process.env.X, setTimeout, [1, 2].findLast((n) => n > 1), Object.hasOwn({}, "a")];', types);
    expect(diagnostics.map((d) => d.message)).toEqual([
      "Cannot find name 'document'. Scripts have JavaScript (ES2023) and the Threadbase API, not what browsers or Node.js add.",
      "Cannot find name 'process'. Scripts have JavaScript (ES2023) and the Threadbase API, not what browsers or Node.js add.",
      "Cannot find name 'setTimeout'.",
    ]);
    expect(diagnostics.map((d) => d.code)).toEqual(['TS2584', 'TS2591', 'TS2304']);
  });

  it('refuses a default export that names something not callable, and accepts one that names a function', () => {
    const refused = typeCheckScript('const settings = { a: 1 };\nexport default settings;', types, { locale: 'zh-CN' }).diagnostics;
    expect(refused).toEqual([expect.objectContaining({ code: 'SCRIPT_DEFAULT_NOT_FUNCTION', kind: 'sandbox', line: 2, column: 16, message: '默认导出必须是函数：export default async function () { … }' })]);
    expect(typeCheckScript('async function run() { return 1; }\nexport { run as default };', types).diagnostics).toEqual([]);
    expect(typeCheckScript('const run = async () => 1;\nexport default run;', types).diagnostics).toEqual([]);
  });
});
