import ts from 'typescript';
import type { Locale } from '../contracts/common.ts';
import type { ScriptDiagnostic } from '../contracts/scripts.ts';
import { scriptMessages } from '../i18n/script-messages.ts';
import { translateWith } from '../i18n/translate.ts';
import { SCRIPT_FILE_NAME } from './compile.ts';
import { byPosition, fromTypeScript, spanOf } from './diagnostics.ts';
import { LIB_DIR, SCRIPT_LIB, libSourceFiles } from './lib-files.ts';

/** A workspace's generated declarations; `key` names this text (its ETag), so its parse can be kept. */
export type ScriptTypes = { key: string; text: string };

const TYPES_FILE_NAME = '/threadbase.d.ts';

/**
 * The editor's settings too (Monaco should be given the same): strict, so nullable fields must be
 * checked before use; every script a module; nothing resolved from disk.
 */
export const CHECK_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.ESNext,
  lib: [SCRIPT_LIB],
  strict: true,
  noEmit: true,
  types: [],
  noResolve: true,
  skipLibCheck: true,
  moduleDetection: ts.ModuleDetectionKind.Force,
};

const parse = { languageVersion: ts.ScriptTarget.ES2023, jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeErrors };

/** Parsed declarations of the last few metadata versions seen (a few workspaces, one publish apart). */
const typesFiles = new Map<string, ts.SourceFile>();
const MAX_TYPES_FILES = 16;

function typesFile(types: ScriptTypes): ts.SourceFile {
  let file = typesFiles.get(types.key);
  if (file) {
    typesFiles.delete(types.key);
  } else {
    file = ts.createSourceFile(TYPES_FILE_NAME, types.text, parse, false);
    if (typesFiles.size >= MAX_TYPES_FILES) typesFiles.delete(typesFiles.keys().next().value!);
  }
  typesFiles.set(types.key, file);
  return file;
}

/**
 * A program over the lib, the declarations and the script, all in memory. Only the script is parsed
 * anew: lib files and declarations are SourceFiles shared by every program, which is what keeps a warm
 * check in the milliseconds (the checker itself is per program and only checks what the script uses).
 */
function createProgram(script: ts.SourceFile, types: ts.SourceFile, options: ts.CompilerOptions): ts.Program {
  const libs = libSourceFiles();
  const host: ts.CompilerHost = {
    getSourceFile: (fileName) => (fileName === script.fileName ? script : fileName === types.fileName ? types : libs.get(fileName)),
    getDefaultLibFileName: () => `${LIB_DIR}/${SCRIPT_LIB}`,
    getDefaultLibLocation: () => LIB_DIR,
    writeFile: () => {},
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (fileName) => fileName,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (fileName) => fileName === script.fileName || fileName === types.fileName || libs.has(fileName),
    readFile: () => undefined,
  };
  return ts.createProgram({ rootNames: [types.fileName, script.fileName], options, host });
}

export type TypeCheckResult = { diagnostics: ScriptDiagnostic[]; ms: number };

/**
 * Checks a script against a workspace's declarations: syntax errors (kind `syntax`) and, when it
 * parses, type errors (kind `type`), plus a default export that is not callable. Never throws for
 * what the script says.
 */
export function typeCheckScript(source: string, types: ScriptTypes, options: { locale?: Locale } = {}): TypeCheckResult {
  const started = performance.now();
  const script = ts.createSourceFile(SCRIPT_FILE_NAME, source, parse, true, ts.ScriptKind.TS);
  const program = createProgram(script, typesFile(types), CHECK_OPTIONS);
  const syntax = program.getSyntacticDiagnostics(script).map((d) => fromTypeScript(script, d, 'syntax'));
  const locale = options.locale ?? 'en';
  // Like tsc: after a syntax error, type errors are mostly its echoes.
  const semantic =
    syntax.length > 0
      ? []
      : [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics(script)].map((d) => withSandboxHint(fromTypeScript(script, d, 'type'), locale));
  const callable = syntax.length > 0 ? [] : defaultExportProblems(program, script, locale);
  return { diagnostics: [...syntax, ...semantic, ...callable].sort(byPosition), ms: performance.now() - started };
}

/**
 * "Cannot find name 'document'" with TypeScript's advice to add the DOM lib or install @types/node:
 * advice a script's author cannot follow. Said instead is what the sandbox has.
 */
const MISSING_ENVIRONMENT = new Set(['TS2580', 'TS2581', 'TS2582', 'TS2583', 'TS2584', 'TS2591', 'TS2592', 'TS2593']);

function withSandboxHint(diagnostic: ScriptDiagnostic, locale: Locale): ScriptDiagnostic {
  if (!MISSING_ENVIRONMENT.has(diagnostic.code)) return diagnostic;
  const name = /'([^']*)'/.exec(diagnostic.message)?.[1] ?? '';
  return { ...diagnostic, message: translateWith(scriptMessages[locale].NOT_IN_SANDBOX, { name }) };
}

/** The sandbox calls the default export: `export default run` must name something callable. */
function defaultExportProblems(program: ts.Program, script: ts.SourceFile, locale: Locale): ScriptDiagnostic[] {
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(script);
  const exported = module && checker.tryGetMemberInModuleExports('default', module);
  if (!exported) return [];
  const declaration = exported.declarations?.[0];
  if (!declaration || ts.isFunctionDeclaration(declaration)) return [];
  // `export default run` and `export { run as default }` are aliases: the type is the one of `run`.
  const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const type = checker.getTypeOfSymbol(target);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown) || type.getCallSignatures().length > 0) return [];
  const at = ts.isExportAssignment(declaration) ? declaration.expression : declaration;
  const start = at.getStart(script);
  return [
    {
      ...spanOf(script, start, at.getEnd() - start),
      message: scriptMessages[locale].SCRIPT_DEFAULT_NOT_FUNCTION,
      code: 'SCRIPT_DEFAULT_NOT_FUNCTION',
      severity: 'error',
      kind: 'sandbox',
    },
  ];
}

/**
 * The declarations' own problems (none, unless the generator is wrong): checked with the lib, not
 * skipped as usual, for tests and for whoever changes the generator.
 */
export function definitionDiagnostics(types: ScriptTypes): string[] {
  const script = ts.createSourceFile(SCRIPT_FILE_NAME, 'export default function () {}', parse, true, ts.ScriptKind.TS);
  const file = ts.createSourceFile(TYPES_FILE_NAME, types.text, parse, true);
  const program = createProgram(script, file, { ...CHECK_OPTIONS, skipLibCheck: false });
  return [...program.getSyntacticDiagnostics(file), ...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics(file)].map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
