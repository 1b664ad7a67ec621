import type { MetaDocument, ObjectDefinition } from '../contracts/meta.ts';
import { AppError } from '../core/app-error.ts';
import { appProblems } from './app-problems.ts';
import { flowProblems } from './flow-problems.ts';
import { FormulaError, formulaSql } from './formula.ts';
import { identifierProblem } from './identifiers.ts';
import { scriptProblems } from './script-problems.ts';
import { parseSortSpec } from './sort-kinds.ts';

export type MetadataProblem = { path: string; code: string; message?: string };

const RECORD_NAME_TYPES = new Set(['text', 'email', 'phone', 'url', 'auto_number']);
const ROLLUP_NUMERIC = new Set(['integer', 'decimal', 'currency', 'percent']);

/**
 * What the zod contract cannot see alone: names that clash with keywords or system columns, duplicates,
 * and references between objects (lookup targets, rollup sources, the record-name field). `published`,
 * the metadata before this change, tells which references were already there (see `appProblems`).
 */
export function metadataProblems(doc: MetaDocument, published: MetaDocument | null = null): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const objects = new Map(doc.objects.map((o) => [o.name, o]));
  const seenObjects = new Set<string>();
  doc.objects.forEach((object, i) => {
    const at = `objects.${i}`;
    if (seenObjects.has(object.name)) problems.push({ path: `${at}.name`, code: 'DUPLICATE_NAME' });
    seenObjects.add(object.name);
    const objectProblem = identifierProblem(object.name, 'object');
    if (objectProblem) problems.push({ path: `${at}.name`, code: objectProblem });
    const fields = new Map(object.fields.map((f) => [f.name, f]));
    const recordName = fields.get(object.recordName);
    if (!recordName || !RECORD_NAME_TYPES.has(recordName.type)) problems.push({ path: `${at}.recordName`, code: 'INVALID_RECORD_NAME' });
    problems.push(...viewProblems(object, at));
    const seenFields = new Set<string>();
    object.fields.forEach((field, j) => {
      const fat = `${at}.fields.${j}`;
      if (seenFields.has(field.name)) problems.push({ path: `${fat}.name`, code: 'DUPLICATE_NAME' });
      seenFields.add(field.name);
      const fieldProblem = identifierProblem(field.name, 'field');
      if (fieldProblem) problems.push({ path: `${fat}.name`, code: fieldProblem });
      if (field.type === 'single_select' || field.type === 'multi_select') {
        const keys = field.options.map((o) => o.key);
        if (new Set(keys).size !== keys.length) problems.push({ path: `${fat}.options`, code: 'DUPLICATE_NAME' });
      }
      if (field.type === 'lookup' && !objects.has(field.target)) problems.push({ path: `${fat}.target`, code: 'UNKNOWN_OBJECT' });
      if (field.type === 'formula' && !field.archived) {
        try {
          formulaSql(field, object);
        } catch (error) {
          if (!(error instanceof FormulaError)) throw error;
          problems.push({ path: `${fat}.expression`, code: 'INVALID_FORMULA', message: `${error.message} (at character ${error.at + 1})` });
        }
      }
      if (field.type === 'rollup') {
        const source = objects.get(field.source);
        const via = source?.fields.find((f) => f.name === field.via);
        if (!source) problems.push({ path: `${fat}.source`, code: 'UNKNOWN_OBJECT' });
        else if (via?.type !== 'lookup' || via.target !== object.name) problems.push({ path: `${fat}.via`, code: 'NOT_A_LOOKUP_HERE' });
        const aggregated = field.field ? source?.fields.find((f) => f.name === field.field) : undefined;
        if (field.fn !== 'count' && (!aggregated || !ROLLUP_NUMERIC.has(aggregated.type))) problems.push({ path: `${fat}.field`, code: 'NOT_NUMERIC' });
      }
    });
  });
  problems.push(...scriptProblems(doc));
  problems.push(...flowProblems(doc));
  problems.push(...appProblems(doc, published));
  return problems;
}

function viewProblems(object: ObjectDefinition, at: string): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const known = new Set(object.fields.map((f) => f.name));
  const duplicates = (names: string[]) => names.filter((n, i) => names.indexOf(n) !== i);
  for (const name of duplicates(object.layouts.map((l) => l.name))) problems.push({ path: `${at}.layouts`, code: 'DUPLICATE_NAME', message: name });
  for (const name of duplicates(object.listViews.map((v) => v.name))) problems.push({ path: `${at}.listViews`, code: 'DUPLICATE_NAME', message: name });
  object.layouts.forEach((layout, i) =>
    layout.sections.forEach((section, j) =>
      section.fields.forEach((field, k) => {
        if (!known.has(field)) problems.push({ path: `${at}.layouts.${i}.sections.${j}.fields.${k}`, code: 'UNKNOWN_FIELD' });
      }),
    ),
  );
  object.listViews.forEach((view, i) => {
    view.columns.forEach((column, k) => {
      if (!known.has(column)) problems.push({ path: `${at}.listViews.${i}.columns.${k}`, code: 'UNKNOWN_FIELD' });
    });
    for (const name of parseSortSpec(object.fields, view.sort).invalid) problems.push({ path: `${at}.listViews.${i}.sort`, code: 'NOT_SORTABLE', message: name });
  });
  return problems;
}

export function assertValidMetadata(doc: MetaDocument, published: MetaDocument | null = null): void {
  const problems = metadataProblems(doc, published);
  if (problems.length > 0) {
    throw new AppError('INVALID_METADATA', 400, { params: { count: problems.length }, details: { problems } });
  }
}
