import type { Locale } from '../contracts/common.ts';
import type { ScriptDiagnostic } from '../contracts/scripts.ts';
import { compileScript } from './compile.ts';
import { byPosition } from './diagnostics.ts';
import { typeCheckScript, type ScriptTypes } from './type-check.ts';

export type CheckedSource = { javascript?: string; diagnostics: ScriptDiagnostic[] };

/** An import is refused by the compiler already; the checker's "cannot find module" (with advice on module resolution) would only repeat it. */
const MODULE_NOT_FOUND = new Set(['TS2307', 'TS2792']);

/**
 * Everything wrong with a script: syntax and sandbox rules from the compiler, then, when it parses,
 * types from the checker. The JavaScript comes whenever the script would run (type errors do not stop it).
 */
export function checkSource(source: string, types: ScriptTypes, locale: Locale): CheckedSource {
  const compiled = compileScript(source, { locale });
  const parses = !compiled.diagnostics.some((d) => d.kind === 'syntax');
  const typed = parses ? typeCheckScript(source, types, { locale }).diagnostics.filter((d) => d.kind !== 'syntax' && !MODULE_NOT_FOUND.has(d.code)) : [];
  const diagnostics = [...compiled.diagnostics, ...typed.filter((d) => !repeats(d, compiled.diagnostics))].sort(byPosition);
  return compiled.javascript === undefined ? { diagnostics } : { javascript: compiled.javascript, diagnostics };
}

/** The compiler and the checker can both find a default export that is no function; say it once. */
const repeats = (d: ScriptDiagnostic, found: ScriptDiagnostic[]) => found.some((f) => f.code === d.code && f.line === d.line && f.column === d.column);
