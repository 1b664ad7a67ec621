import ts from 'typescript';
import type { Locale } from '../contracts/common.ts';
import type { ScriptDiagnostic } from '../contracts/scripts.ts';
import { scriptMessages, type ScriptRuleCode } from '../i18n/script-messages.ts';
import { translateWith } from '../i18n/translate.ts';
import { byPosition, fromTypeScript, spanOf } from './diagnostics.ts';

/**
 * What the sandbox runs: an ES2023 module, nothing downlevelled that QuickJS already has, and any helper
 * the compiler needs written into the output (`importHelpers` would add an import the sandbox refuses).
 */
const TRANSPILE_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.ESNext,
  importHelpers: false,
  noEmitHelpers: false,
  isolatedModules: true,
  sourceMap: false,
  inlineSourceMap: false,
  newLine: ts.NewLineKind.LineFeed,
};

/** The name scripts compile under; diagnostics and the checker's program use the same. */
export const SCRIPT_FILE_NAME = '/script.ts';

export type CompileResult = { ok: boolean; javascript?: string; diagnostics: ScriptDiagnostic[] };

/**
 * Turns a script's TypeScript into the JavaScript the sandbox runs. Never throws for what the script
 * says: syntax errors and broken sandbox rules come back as diagnostics with their positions, and then
 * there is no JavaScript. Types are not checked here (see type-check.ts), so a script compiles alone.
 */
export function compileScript(source: string, options: { locale?: Locale } = {}): CompileResult {
  const output = ts.transpileModule(source, { compilerOptions: TRANSPILE_OPTIONS, fileName: SCRIPT_FILE_NAME, reportDiagnostics: true });
  const file = ts.createSourceFile(SCRIPT_FILE_NAME, source, ts.ScriptTarget.ES2023, true, ts.ScriptKind.TS);
  const syntax = (output.diagnostics ?? []).map((d) => fromTypeScript(file, d, 'syntax'));
  const rules = sandboxRuleDiagnostics(file, options.locale ?? 'en', syntax.length === 0);
  const diagnostics = [...syntax, ...rules].sort(byPosition);
  const ok = !diagnostics.some((d) => d.severity === 'error');
  return ok ? { ok, javascript: output.outputText, diagnostics } : { ok, diagnostics };
}

/**
 * What parses but cannot run in the sandbox: scripts have no modules (the API is global), and the
 * sandbox calls the default export. A missing default export is only reported on a script that
 * parses: a syntax error can swallow it, and one error is enough to read.
 */
export function sandboxRuleDiagnostics(file: ts.SourceFile, locale: Locale, checkDefault = true): ScriptDiagnostic[] {
  const found: ScriptDiagnostic[] = [];
  const report = (node: ts.Node | null, code: ScriptRuleCode, params: Record<string, string> = {}) => {
    const start = node ? node.getStart(file) : 0;
    const span = spanOf(file, start, node ? node.getEnd() - start : 0);
    found.push({ ...span, message: translateWith(scriptMessages[locale][code], params), code, severity: 'error', kind: 'sandbox' });
  };
  const specifier = (node: ts.Expression | undefined) => (node && ts.isStringLiteralLike(node) ? JSON.stringify(node.text.slice(0, 100)) : 'import');

  function visit(node: ts.Node): void {
    if (ts.isImportDeclaration(node)) report(node, 'SCRIPT_IMPORT', { what: specifier(node.moduleSpecifier) });
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      report(node, 'SCRIPT_IMPORT', { what: specifier(node.moduleReference.expression) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) report(node, 'SCRIPT_IMPORT', { what: specifier(node.moduleSpecifier) });
    else if (ts.isImportTypeNode(node)) report(node, 'SCRIPT_IMPORT', { what: ts.isLiteralTypeNode(node.argument) ? specifier(node.argument.literal as ts.Expression) : 'import' });
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) report(node, 'SCRIPT_IMPORT', { what: specifier(node.arguments[0]) });
    else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') report(node, 'SCRIPT_REQUIRE');
    ts.forEachChild(node, visit);
  }
  visit(file);
  if (checkDefault) checkDefaultExport(file, report);
  return found;
}

/** `null` points at the start of the script: what is missing has no place of its own. */
type Report = (node: ts.Node | null, code: ScriptRuleCode) => void;

function checkDefaultExport(file: ts.SourceFile, report: Report): void {
  let seen = false;
  for (const statement of file.statements) {
    if (ts.isExportAssignment(statement)) {
      seen = true;
      // `export = f` is CommonJS: the sandbox's module has no default export then.
      if (statement.isExportEquals) report(statement, 'SCRIPT_NO_DEFAULT_EXPORT');
      else if (!maybeFunction(statement.expression)) report(statement.expression, 'SCRIPT_DEFAULT_NOT_FUNCTION');
    } else if (isDefaultExported(statement)) {
      seen = true;
      if (!ts.isFunctionDeclaration(statement)) report(statement, 'SCRIPT_DEFAULT_NOT_FUNCTION');
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      // `export { run as default }`: the checker tells whether `run` is a function.
      if (statement.exportClause.elements.some((e) => e.name.text === 'default')) seen = true;
    }
  }
  if (!seen) report(null, 'SCRIPT_NO_DEFAULT_EXPORT');
}

function isDefaultExported(statement: ts.Statement): boolean {
  const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
  return !!modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) && !!modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
}

/**
 * A function, or a name that may hold one (the checker decides). Objects, classes, literals and calls
 * are refused here already: the sandbox would find nothing to call.
 */
function maybeFunction(expression: ts.Expression): boolean {
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  return ts.isArrowFunction(e) || ts.isFunctionExpression(e) || ts.isIdentifier(e) || ts.isPropertyAccessExpression(e);
}
