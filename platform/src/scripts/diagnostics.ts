import ts from 'typescript';
import type { ScriptDiagnostic } from '../contracts/scripts.ts';

export type DiagnosticKind = ScriptDiagnostic['kind'];

/** A range of the source as 1-based lines and columns, as editors count them. */
export function spanOf(file: ts.SourceFile, start: number, length: number) {
  const from = file.getLineAndCharacterOfPosition(Math.max(0, Math.min(start, file.text.length)));
  const to = file.getLineAndCharacterOfPosition(Math.max(0, Math.min(start + Math.max(length, 0), file.text.length)));
  return { line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
}

const SEVERITY: Record<ts.DiagnosticCategory, ScriptDiagnostic['severity']> = {
  [ts.DiagnosticCategory.Error]: 'error',
  [ts.DiagnosticCategory.Warning]: 'warning',
  [ts.DiagnosticCategory.Suggestion]: 'info',
  [ts.DiagnosticCategory.Message]: 'info',
};

/**
 * TypeScript's diagnostic in our shape. One that belongs to no position in the script (a compiler
 * option, or a problem in the generated declarations) points at the script's first character, so the
 * editor still shows it somewhere.
 */
export function fromTypeScript(script: ts.SourceFile, diagnostic: ts.Diagnostic, kind: DiagnosticKind): ScriptDiagnostic {
  const inScript = diagnostic.file?.fileName === script.fileName && diagnostic.start !== undefined;
  const span = inScript ? spanOf(script, diagnostic.start!, diagnostic.length ?? 0) : spanOf(script, 0, 0);
  return {
    ...span,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    code: `TS${diagnostic.code}`,
    severity: SEVERITY[diagnostic.category],
    kind,
  };
}

/** Editors list problems top to bottom; ties keep the order they were found in. */
export function byPosition(a: ScriptDiagnostic, b: ScriptDiagnostic): number {
  return a.line - b.line || a.column - b.column;
}
