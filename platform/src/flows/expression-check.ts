import { createHash } from 'node:crypto';
import { triggerObject, type FlowDefinition } from '../contracts/flow-definitions.ts';
import { cardTemplates } from './card-templates.ts';
import type { MetaDocument } from '../contracts/meta.ts';
import type { ScriptDiagnostic } from '../contracts/scripts.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import type { MetadataProblem } from '../schema/index.ts';
import { CompilerUnavailableError } from '../scripts/compiler.ts';
import { compiler } from '../scripts/shared-compiler.ts';
import type { ScriptTypes } from '../scripts/type-check.ts';

/** One expression of a flow: where it is, its text, the type it must have, and how to name it in a message. */
export type FlowExpression = { path: string; text: string; type: string; part?: string };

/** As the engine fills templates (expressions.ts). */
const TEMPLATE_PART = /\{\{([\s\S]+?)\}\}/g;
const isExpr = (value: unknown): value is { expr: string } =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { expr?: unknown }).expr === 'string';

/** Every expression of a flow, with the type its place asks for (`unknown`: any value). */
export function flowExpressions(flow: FlowDefinition, at: string): FlowExpression[] {
  const found: FlowExpression[] = [];
  if ('condition' in flow.trigger && flow.trigger.condition !== undefined) found.push({ path: `${at}.trigger.condition`, text: flow.trigger.condition, type: 'boolean' });
  const values = (path: string, entries: Record<string, unknown> | undefined) => {
    for (const [key, value] of Object.entries(entries ?? {})) if (isExpr(value)) found.push({ path: `${path}.${key}.expr`, text: value.expr, type: 'unknown' });
  };
  const parts = (path: string, text: string) => {
    for (const [part, inner] of text.matchAll(TEMPLATE_PART)) found.push({ path, text: inner!, type: 'unknown', part });
  };
  flow.nodes.forEach((node, j) => {
    const data = `${at}.nodes.${j}.data`;
    if (node.type === 'condition') found.push({ path: `${data}.expression`, text: node.data.expression, type: 'boolean' });
    else if (node.type === 'wait' && node.data.until !== undefined) found.push({ path: `${data}.until`, text: node.data.until, type: 'string' });
    else if (node.type === 'wait' && node.data.condition !== undefined) found.push({ path: `${data}.condition`, text: node.data.condition, type: 'boolean' });
    else if (node.type === 'notify') {
      found.push({ path: `${data}.users`, text: node.data.users, type: 'string | string[]' });
      parts(`${data}.text`, node.data.text);
    } else if (node.type === 'post_message') {
      parts(`${data}.text`, node.data.text);
      for (const [path, text] of cardTemplates(node.data.card)) parts(`${data}.card.${path}`, text);
    }
    else if (node.type === 'update_record' || node.type === 'create_record') values(`${data}.values`, node.data.values);
    else if (node.type === 'run_script') values(`${data}.input`, node.data.input);
    else if (node.type === 'http_call') {
      parts(`${data}.url`, node.data.url);
      values(`${data}.body`, node.data.body);
    } else if (node.type === 'approval') {
      if (node.data.title !== undefined) parts(`${data}.title`, node.data.title);
      node.data.levels.forEach((level, k) => {
        const at = `${data}.levels.${k}`;
        if (level.condition !== undefined) found.push({ path: `${at}.condition`, text: level.condition, type: 'boolean' });
        level.approvers.forEach((rule, r) => {
          if (rule.kind === 'expression') found.push({ path: `${at}.approvers.${r}.expression`, text: rule.expression, type: 'string | string[]' });
        });
      });
    }
  });
  return found;
}

/**
 * Type-checks the expressions of a document's live flows against the document's own objects (a draft may
 * add or change them), one small program per flow on the script compiler's worker: `record` is the
 * trigger's record (not declared when the trigger names no object), `steps` the earlier steps' outputs.
 * Flows whose trigger names an unknown object are left to flowProblems, which reports that object.
 */
export async function flowExpressionProblems(ctx: Ctx, doc: MetaDocument): Promise<MetadataProblem[]> {
  const problems: MetadataProblem[] = [];
  const live = new Set(doc.objects.filter((o) => !o.archived).map((o) => o.name));
  let types: ScriptTypes | null = null;
  for (const [i, flow] of (doc.flows ?? []).entries()) {
    const object = triggerObject(flow.trigger);
    if (flow.archived || (object !== undefined && !live.has(object))) continue;
    const expressions: FlowExpression[] = [];
    for (const found of flowExpressions(flow, `flows.${i}`)) {
      const reason = oneExpressionProblem(found.text);
      if (reason) problems.push({ path: found.path, code: 'INVALID_EXPRESSION', message: named(found, reason) });
      else expressions.push(found);
    }
    if (expressions.length === 0) continue;
    types ??= await documentTypes(doc);
    problems.push(...(await checkFlow(ctx, types, object, expressions, `flows.${i}`)));
  }
  return problems;
}

/**
 * Checks one flow's expressions in one program. After a syntax error the checker reports nothing else,
 * so the expressions that have one are reported and the others checked again without them.
 */
async function checkFlow(ctx: Ctx, types: ScriptTypes, object: string | undefined, expressions: FlowExpression[], at: string): Promise<MetadataProblem[]> {
  const found = new Map<string, { k: number; problem: MetadataProblem }>();
  let pending = expressions.map((expression, k) => ({ expression, k }));
  while (pending.length > 0) {
    const { source, lines } = snippet(object, pending.map((p) => p.expression));
    let diagnostics: ScriptDiagnostic[];
    try {
      diagnostics = (await checked(source, types, ctx)).filter((d) => d.severity === 'error');
    } catch (error) {
      if (!(error instanceof CompilerUnavailableError)) throw error;
      return [{ path: at, code: 'INVALID_EXPRESSION', message: `the expressions could not be checked within ${compiler.options.requestMs / 1000} s` }];
    }
    const broken = new Set<number>();
    for (const d of diagnostics) {
      const entry = pending[lines.findIndex(([from, to]) => d.line >= from && d.line <= to)];
      const problem = entry ? { path: entry.expression.path, code: 'INVALID_EXPRESSION', message: named(entry.expression, d.message) } : { path: at, code: 'INVALID_EXPRESSION', message: d.message };
      found.set(`${problem.path}\n${problem.message}`, { k: entry?.k ?? -1, problem });
      if (d.kind === 'syntax' && entry) broken.add(entry.k);
    }
    if (broken.size === 0) break;
    pending = pending.filter((p) => !broken.has(p.k));
  }
  return [...found.values()].sort((a, b) => a.k - b.k).map((f) => f.problem);
}

const named = (found: FlowExpression, message: string) => (found.part ? `${found.part}: ${message}` : message);

/** The program for one flow; `lines` gives each expression's first and last line (1-based), wrapper included. */
function snippet(object: string | undefined, expressions: FlowExpression[]): { source: string; lines: [number, number][] } {
  const out = ['export default function () {}', 'declare const steps: Record<string, any>;'];
  if (object !== undefined) out.push(`declare const record: Threadbase.Objects[${JSON.stringify(object)}];`);
  const lines: [number, number][] = [];
  let line = out.length;
  expressions.forEach((found, k) => {
    // The text as written: line breaks are counted as TypeScript counts them, to map its lines back.
    out.push(`const __expression_${k}: ${found.type} = (`, found.text, ');');
    lines.push([line + 1, (line += 3 + (found.text.match(/\r\n|[\n\r\u2028\u2029]/g)?.length ?? 0))]);
  });
  return { source: `${out.join('\n')}\n`, lines };
}

/** Declarations for a document's objects, by their content: a draft saved again and again generates them once. */
const typesByObjects = new Map<string, Promise<ScriptTypes>>();
const TYPES_KEPT = 8;
const hash = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 32);

function documentTypes(doc: MetaDocument): Promise<ScriptTypes> {
  const objects = hash(JSON.stringify(doc.objects));
  let types = typesByObjects.get(objects);
  if (types) typesByObjects.delete(objects);
  else {
    types = compiler.generate(doc.objects, 0).then((text) => ({ key: `flows:${hash(text)}`, text }));
    types.catch(() => typesByObjects.delete(objects));
    if (typesByObjects.size >= TYPES_KEPT) typesByObjects.delete(typesByObjects.keys().next().value!);
  }
  typesByObjects.set(objects, types);
  return types;
}

/** Diagnostics by program: saving a draft checks again only the flows that changed. */
const recent = new Map<string, ScriptDiagnostic[]>();
const RECENT_MAX = 500;

async function checked(source: string, types: ScriptTypes, ctx: Ctx): Promise<ScriptDiagnostic[]> {
  const key = hash(`${types.key}\n${ctx.locale}\n${source}`);
  let diagnostics = recent.get(key);
  if (diagnostics) recent.delete(key);
  else diagnostics = (await compiler.check(source, types, ctx.locale)).diagnostics;
  recent.set(key, diagnostics);
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
  return diagnostics;
}

/** What a `/` after the last token would be: division (`value`), a regular expression (`operator`), or either, by where it is. */
type Prev = 'value' | 'operator' | 'either';
const OPENS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const LINE_END = /[\n\r\u2028\u2029]/;
/** Words after which `/` starts a regular expression (unless they follow a `.`: then they name a property). */
const OPERATOR_WORDS = new Set(['return', 'typeof', 'instanceof', 'in', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'extends']);
/** Words that are operators in some places and names in others. */
const EITHER_WORDS = new Set(['of', 'await', 'yield']);
/** `if (…) /x/` is a statement starting with a regular expression. */
const STATEMENT_PARENS = new Set(['if', 'while', 'for', 'with', 'await']);
const NUMBER = /(?:0[xXbBoO][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)n?/y;
const WORD = /(?:[\p{ID_Continue}$#\u200c\u200d]|\\u\{?[0-9a-fA-F]+\}?)+/uy;
const sticky = (pattern: RegExp, text: string, at: number) => ((pattern.lastIndex = at), pattern.test(text) ? pattern.lastIndex : -1);

/**
 * Why `text` is not one expression, or null when it is: its brackets, strings, templates and comments
 * all close inside it and no `;` ends it, so wrapped in parentheses it stays one expression. A `/` whose
 * meaning depends on statements inside the expression (right after `}`, `if (…)` or `>`) is refused when
 * it could start a regular expression: the program the compiler checks must be the one scanned here.
 */
export function oneExpressionProblem(text: string): string | null {
  if (text.trim() === '') return 'the expression is empty';
  const stack: { close: string; after: Prev }[] = [];
  let prev: Prev = 'operator';
  let word = '';
  let afterDot = false;
  let i = 0;
  /** From inside a template to its end (then a positive index) or its next `${` (then a negative one). */
  const template = (from: number): number => {
    for (let j = from; j < text.length; j++) {
      if (text[j] === '\\') j++;
      else if (text[j] === '`') return j + 1;
      else if (text[j] === '$' && text[j + 1] === '{') return stack.push({ close: '${', after: 'value' }), -(j + 2);
    }
    return Number.NaN;
  };
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    const token = { prev: 'operator' as Prev, word: '', dot: false };
    if (/\s/.test(c)) {
      i++;
      continue;
    } else if (c === '/' && next === '/') {
      const end = text.slice(i).search(LINE_END);
      i = end < 0 ? text.length : i + end;
      continue;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return 'a comment is not closed';
      i = end + 2;
      continue;
    } else if (c === '/') {
      const end: number = prev === 'value' ? -1 : regexEnd(text, i);
      if (end >= 0 && prev === 'either') return `the "/" at character ${i + 1} could start a regular expression or divide: put the regular expression in parentheses`;
      [i, token.prev] = end >= 0 ? [end, 'value'] : [i + 1, 'operator'];
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c && !LINE_END.test(text[j]!)) j += text[j] !== '\\' ? 1 : text.startsWith('\r\n', j + 1) ? 3 : 2;
      if (text[j] !== c) return 'a string is not closed';
      [i, token.prev] = [j + 1, 'value'];
    } else if (c === '`' || (c === '}' && stack.at(-1)?.close === '${')) {
      if (c === '}') stack.pop();
      const end = template(i + 1);
      if (Number.isNaN(end)) return 'a template is not closed';
      [i, token.prev] = end < 0 ? [-end, 'operator'] : [end, 'value'];
    } else if (c === '(' || c === '[' || c === '{') {
      // What may follow the closing bracket: after `if (…)` and after any block or object, a statement could.
      const after: Prev = c === '{' || (c === '(' && STATEMENT_PARENS.has(word)) ? 'either' : 'value';
      stack.push({ close: c === '(' ? ')' : c === '[' ? ']' : '}', after });
      i++;
    } else if (c === ')' || c === ']' || c === '}') {
      const open = stack.pop();
      if (open?.close !== c) return `the "${c}" at character ${i + 1} closes a "${OPENS[c]}" that is not open here`;
      [i, token.prev] = [i + 1, open.after];
    } else if (c === ';' && stack.length === 0) {
      return `one expression only: the ";" at character ${i + 1} ends it`;
    } else if ((c >= '0' && c <= '9') || (c === '.' && next !== undefined && next >= '0' && next <= '9')) {
      [i, token.prev] = [sticky(NUMBER, text, i), 'value'];
    } else if (sticky(WORD, text, i) > i) {
      const name = text.slice(i, WORD.lastIndex);
      token.prev = afterDot ? 'value' : OPERATOR_WORDS.has(name) ? 'operator' : EITHER_WORDS.has(name) ? 'either' : 'value';
      [i, token.word] = [WORD.lastIndex, afterDot ? '' : name];
    } else {
      // `x!`, `x++`, `x--` end a value (in TypeScript `x!` asserts it is not null); `>` may close type arguments.
      const spread = text.startsWith('...', i);
      const postfix = prev === 'value' && ((c === '!' && next !== '=') || ((c === '+' || c === '-') && next === c));
      const arrow = c === '=' && next === '>';
      token.dot = !spread && (c === '.' || (c === '?' && next === '.'));
      token.prev = postfix ? 'value' : c === '>' ? 'either' : 'operator';
      i += spread ? 3 : arrow || (postfix && c !== '!') || (c === '?' && next === '.') ? 2 : 1;
    }
    [prev, word, afterDot] = [token.prev, token.word, token.dot];
  }
  const open = stack.at(-1);
  return open ? (open.close === '${' ? 'a template is not closed' : `a "${OPENS[open.close]}" is not closed`) : null;
}

/** Where a regular expression starting at `start` ends (after its flags), or -1 when none closes on its line. */
function regexEnd(text: string, start: number): number {
  let inClass = false;
  for (let j = start + 1; j < text.length; j++) {
    const c = text[j]!;
    if (LINE_END.test(c)) return -1;
    if (c === '\\') j++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      let end = j + 1;
      while (end < text.length && /[\p{ID_Continue}$]/u.test(text[end]!)) end++;
      return end;
    }
  }
  return -1;
}

/** Refuses a document whose flows have expressions that do not check, like assertValidMetadata does. */
export async function assertValidFlowExpressions(ctx: Ctx, doc: MetaDocument): Promise<void> {
  const problems = await flowExpressionProblems(ctx, doc);
  if (problems.length > 0) throw new AppError('INVALID_METADATA', 400, { params: { count: problems.length }, details: { problems } });
}
