import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { MetaDocument, type ObjectDefinition } from '../contracts/meta.ts';
import { field, objectDef, option } from '../testing/meta-builders.ts';
import { correctScript, everyTypeObjects } from './scripts-fixture.ts';
import { generateTypeDefinitions, typeNames } from './type-definitions.ts';
import { definitionDiagnostics, typeCheckScript } from './type-check.ts';

const typesOf = (objects: ObjectDefinition[]) => ({ key: `test-${Math.random()}`, text: generateTypeDefinitions(objects, 1) });
const objects = (...defs: Record<string, unknown>[]) => MetaDocument.parse({ objects: defs }).objects;
const block = (text: string, start: string) => {
  const from = text.indexOf(start);
  return text.slice(from, text.indexOf('\n}', from) + 2);
};
const system = [
  "  /** The record's id (a UUID). */",
  '  readonly id: string;',
  '  /** When it was created: ISO 8601, UTC. */',
  '  readonly created_at: string;',
  '  /** Who created it: a user id. */',
  '  readonly created_by: string | null;',
  '  /** When it last changed: ISO 8601, UTC. */',
  '  readonly updated_at: string;',
  '  /** Who changed it last: a user id. */',
  '  readonly updated_by: string | null;',
  '  /** The owner: a user id. */',
  '  readonly owner: string | null;',
  '  /** Counts changes; send it back with records.update to refuse overwriting a newer one. */',
  '  readonly version: number;',
];

describe('the declarations of a workspace\'s objects', () => {
  const types = typesOf(everyTypeObjects());

  it('types every field as the records API returns it: nullable unless required, computed fields read-only', () => {
    const fieldLines = block(types.text, 'interface Deal {').split('\n').slice(1 + system.length, -1).filter((l) => !l.trimStart().startsWith('/**'));
    expect(block(types.text, 'interface Deal {').split('\n').slice(1, 1 + system.length)).toEqual(system);
    expect(fieldLines).toEqual([
      '  account: string | null;',
      '  amount: Threadbase.Money | null;',
      '  assignee: string | null;',
      '  readonly badge: string | null;',
      '  body: string | null;',
      '  readonly bulk: boolean | null;',
      '  close_date: string | null;',
      '  closed_at: string | null;',
      '  contact_email: string | null;',
      '  contact_phone: string | null;',
      '  files: Threadbase.Attachment[] | null;',
      '  readonly follow_up: string | null;',
      '  notes: string | null;',
      '  readonly number: string;',
      '  price: string | null;',
      '  probability: string | null;',
      '  quantity: number | null;',
      '  stage: "lost" | "new" | "won";',
      '  tags: ("renewal" | "vip")[] | null;',
      '  team: string | null;',
      '  title: string;',
      '  website: string | null;',
      '  readonly weighted: string | null;',
      '  won: boolean | null;',
    ]);
    expect(block(types.text, 'interface Account {')).toContain('  readonly deal_count: number;\n');
    expect(block(types.text, 'interface Account {')).toContain('  readonly deal_total: string | null;\n');
  });

  it('says each field\'s labels in English and Chinese, and what the type alone does not, in a JSDoc line', () => {
    expect(types.text).toContain('  /** Title · 标题 — text, required */\n  title: string;');
    expect(types.text).toContain('  /** account — lookup: the id of a "account" record */');
    expect(types.text).toContain('  /** price — decimal: an exact decimal as a string, 2 decimal places */');
  });

  it('declares what records.create takes: writable fields only, required ones not optional, decimals also as numbers', () => {
    const input = block(types.text, '    interface Deal {').split('\n').filter((l) => !l.trimStart().startsWith('/**'));
    expect(input).toEqual(expect.arrayContaining(['      title: string;', '      stage: "lost" | "new" | "won";', '      price?: number | string | null;', '      amount?: Threadbase.MoneyInput | null;', '      owner?: string;']));
    expect(input.join('\n')).not.toMatch(/number\??:|weighted|follow_up|badge|bulk/);
  });

  it('are valid TypeScript themselves, and a script that uses every field as typed has no diagnostic', () => {
    expect(definitionDiagnostics(types)).toEqual([]);
    expect(typeCheckScript(correctScript, types).diagnostics).toEqual([]);
  });

  it('flag a script that misuses a field, naming the field or the type', () => {
    const problems = (body: string) =>
      typeCheckScript(`export default async function () {\n  const deal = (await records.get('deal', 'x'))!;\n  ${body}\n}`, types).diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(problems('deal.amount.amount;')).toEqual(["TS18047 'deal.amount' is possibly 'null'."]);
    expect(problems('const n: number = deal.price!;')).toEqual(["TS2322 Type 'string' is not assignable to type 'number'."]);
    expect(problems("if (deal.stage === 'closed') {}")).toEqual([expect.stringMatching(/^TS2367 .*'"lost" \| "new" \| "won"' and '"closed"' have no overlap/)]);
    expect(problems("deal.tags?.push('gold');")).toEqual([`TS2345 Argument of type '"gold"' is not assignable to parameter of type '"renewal" | "vip"'.`]);
    expect(problems("deal.number = 'D-1';")).toEqual(["TS2540 Cannot assign to 'number' because it is a read-only property."]);
    expect(problems('deal.nmae;')).toEqual(["TS2339 Property 'nmae' does not exist on type 'Deal'."]);
    expect(problems("await records.create('deal', { stage: 'new' });")[0]).toMatch(/^TS2345 .*Property 'title' is missing/s);
    expect(problems("await records.create('deal', { title: 't', stage: 'new', weighted: '1' });")[0]).toMatch(/^TS2353 .*'weighted' does not exist in type 'Deal'/);
    expect(problems("await records.get('dael', 'x');")[0]).toMatch(/^TS2345 Argument of type '"dael"' is not assignable/);
    expect(problems("await records.find('deal', { sort: ['-amont'] });")[0]).toMatch(/^TS2820 Type '"-amont"' is not assignable .*Did you mean '"-amount"'\?/);
  });

  it('narrow ctx.record by ctx.object, and keep the run\'s other globals typed', () => {
    const check = (body: string) => typeCheckScript(`export default async function () {\n${body}\n}`, types).diagnostics.map((d) => d.message);
    expect(check("if (ctx.object === 'account') return ctx.record.deal_count + 1;")).toEqual([]);
    expect(check('return ctx.record.id;')).toEqual(["'ctx.record' is possibly 'null'."]);
    expect(check("if (ctx.object === 'account') return ctx.record.title;")).toEqual(["Property 'title' does not exist on type 'Account'."]);
    expect(check("const v: string = await env.get('KEY');")).toEqual([expect.stringMatching(/^Type 'string \| null' is not assignable to type 'string'\./)]);
    expect(check("await thread.post(42);")).toEqual(["Argument of type 'number' is not assignable to parameter of type 'string'."]);
  });
});

describe('options, names and hostile text', () => {
  it('makes select fields a union of their option keys, sorted and each once', () => {
    const text = generateTypeDefinitions(
      objects(objectDef('ticket', 'title', [field('title', 'text'), field('priority', 'single_select', { options: [option('p3'), option('p1'), option('p2')] }), field('only', 'multi_select', { options: [option('one')] })])),
      1,
    );
    expect(text).toContain('  priority: "p1" | "p2" | "p3" | null;');
    expect(text).toContain('  only: ("one")[] | null;');
  });

  it('names interfaces in PascalCase, never as a global of the lib or of the API, each name once', () => {
    expect(Object.fromEntries(typeNames(['sales_order', 'date', 'promise', 'records', 'context', 'x1', 'x_1', 'threadbase', 'inputs']))).toEqual({
      context: 'ContextRecord',
      date: 'DateRecord',
      inputs: 'InputsRecord',
      promise: 'PromiseRecord',
      records: 'RecordsRecord',
      sales_order: 'SalesOrder',
      threadbase: 'ThreadbaseRecord',
      x1: 'X1',
      x_1: 'X1Record',
    });
    const types = typesOf(objects(objectDef('date', 'title', [field('title', 'text')]), objectDef('sales_order', 'title', [field('title', 'text')])));
    expect(definitionDiagnostics(types)).toEqual([]);
    const script = "export default async function () {\n  const d: DateRecord | null = await records.get('date', 'x');\n  const o: SalesOrder[] = await records.find('sales_order');\n  return new Date().getTime() + (d?.title ?? '') + o.length;\n}";
    expect(typeCheckScript(script, types).diagnostics).toEqual([]);
  });

  it('escapes labels and descriptions: no comment ends early, no JSDoc tag appears, no line breaks out', () => {
    const hostile = { en: '*/ declare const pwned: number; /* @deprecated', 'zh-CN': '金额\n@see evil\\' };
    const types = typesOf(objects(objectDef('deal', 'title', [field('title', 'text', { label: hostile, description: 'ends */ here @internal' })], { label: hostile })));
    expect(definitionDiagnostics(types)).toEqual([]);
    expect(typeCheckScript('export default () => pwned;', types).diagnostics.map((d) => d.message)).toEqual(["Cannot find name 'pwned'."]);
    const file = ts.createSourceFile('/t.d.ts', types.text, ts.ScriptTarget.ES2023, true);
    const deal = file.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Deal')!;
    const title = deal.members.find((m) => m.name && ts.isIdentifier(m.name) && m.name.text === 'title')!;
    expect(ts.getJSDocTags(deal)).toEqual([]);
    expect(ts.getJSDocTags(title)).toEqual([]);
    expect(types.text).toContain('/** *\\/ declare const pwned: number; /* \\@deprecated · 金额 \\@see evil\\\\ — object "deal" */');
  });

  it('is the same text whatever the order of objects, fields and options, and leaves archived ones out', () => {
    const a = objects(
      objectDef('b_obj', 'name', [field('name', 'text'), field('kind', 'single_select', { options: [option('y'), option('x')] })]),
      objectDef('a_obj', 'name', [field('name', 'text'), field('old', 'text', { archived: true })]),
      objectDef('gone', 'name', [field('name', 'text')], { archived: true }),
    );
    const b = objects(
      objectDef('a_obj', 'name', [field('old', 'text', { archived: true }), field('name', 'text')]),
      objectDef('b_obj', 'name', [field('kind', 'single_select', { options: [option('x'), option('y')] }), field('name', 'text')]),
    );
    expect(generateTypeDefinitions(a, 4)).toBe(generateTypeDefinitions(b, 4));
    expect(generateTypeDefinitions(a, 4)).not.toMatch(/\bold\b|Gone|gone/);
  });

  it('still declares the API for a workspace without objects, where no object name is valid', () => {
    const types = typesOf([]);
    expect(definitionDiagnostics(types)).toEqual([]);
    expect(typeCheckScript('export default () => log.info(ctx.user.login, ctx.record);', types).diagnostics).toEqual([]);
    expect(typeCheckScript("export default () => records.get('deal', 'x');", types).diagnostics.map((d) => d.code)).toEqual(['TS2345']);
  });
});
