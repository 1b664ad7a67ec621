import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/** The standard library scripts see: ES2023 and nothing of the DOM or Node, as in the QuickJS sandbox. */
export const SCRIPT_LIB = 'lib.es2023.d.ts';
/** Where the checker's in-memory host keeps the lib files; no real folder of that name is read. */
export const LIB_DIR = '/lib';

const libSourceDir = path.dirname(createRequire(import.meta.url).resolve('typescript/lib/lib.d.ts'));

/** Lib files are the same for every check: parsed once per process, shared by every program after. */
const parse = { languageVersion: ts.ScriptTarget.ES2023, jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeErrors };

let libs: Map<string, ts.SourceFile> | null = null;
let globals: ReadonlySet<string> | null = null;

/** ES2023's lib files by their path under LIB_DIR, following `/// <reference lib>` from SCRIPT_LIB. */
export function libSourceFiles(): ReadonlyMap<string, ts.SourceFile> {
  if (libs) return libs;
  const loaded = new Map<string, ts.SourceFile>();
  const pending = [SCRIPT_LIB];
  while (pending.length > 0) {
    const name = pending.pop()!;
    const fileName = `${LIB_DIR}/${name}`;
    if (loaded.has(fileName)) continue;
    const file = ts.createSourceFile(fileName, fs.readFileSync(path.join(libSourceDir, name), 'utf8'), parse, false);
    loaded.set(fileName, file);
    for (const ref of file.libReferenceDirectives) pending.push(`lib.${ref.fileName.toLowerCase()}.d.ts`);
  }
  libs = loaded;
  return libs;
}

/** The names a declaration file puts in the global scope (types and values alike), namespaces' members included when asked. */
export function declaredNames(file: ts.SourceFile, insideNamespace?: string): Set<string> {
  const names = new Set<string>();
  const collect = (statements: readonly ts.Statement[]) => {
    for (const s of statements) {
      if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
      if ((ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s) || ts.isFunctionDeclaration(s)) && s.name) names.add(s.name.text);
      if (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name)) {
        names.add(s.name.text);
        if (s.name.text === insideNamespace && s.body && ts.isModuleBlock(s.body)) collect(s.body.statements);
      }
    }
  };
  collect(file.statements);
  return names;
}

/** Every global name of the lib: a workspace's object must not be called `Date` or `Promise`, whose interfaces it would merge into. */
export function libGlobalNames(): ReadonlySet<string> {
  if (!globals) globals = new Set([...libSourceFiles().values()].flatMap((file) => [...declaredNames(file)]));
  return globals;
}
