import type { FieldDefinition, MetaDocument, ObjectDefinition } from '../contracts/meta.ts';
import { AppError } from '../core/app-error.ts';
import { columnsOf, type ForeignKey } from './columns.ts';
import { conversion, outsideOptions, type Conversion } from './conversions.ts';
import { parseSortSpec } from './sort-kinds.ts';

/**
 * One change to the data schema. Publishing computes these as a diff between the published metadata
 * and the draft, then applies them in one transaction with the metadata itself.
 */
export type SchemaAction =
  | { kind: 'create_table'; object: ObjectDefinition }
  | { kind: 'add_field'; object: string; field: FieldDefinition }
  | { kind: 'convert_column'; object: string; field: string; column: string; to: FieldDefinition; conversion: Conversion }
  | { kind: 'check_values'; object: string; field: string; column: string; failing: NonNullable<Conversion['failing']> }
  | { kind: 'create_unique'; object: string; column: string }
  | { kind: 'drop_unique'; object: string; column: string }
  | { kind: 'replace_foreign_key'; object: string; column: string; references: ForeignKey }
  | { kind: 'ensure_sort_index'; object: string; keys: { column: string; desc: boolean }[] };

const byName = <T extends { name: string }>(items: readonly T[]) => new Map(items.map((i) => [i.name, i]));

/**
 * Nothing is ever dropped: an object or field missing from the draft, or marked archived, keeps its
 * table or column (the meta layer records it as archived; a later, explicit purge removes data).
 */
export function planSchemaChanges(published: MetaDocument | null, draft: MetaDocument): SchemaAction[] {
  const actions: SchemaAction[] = [];
  const before = byName(published?.objects ?? []);
  for (const object of draft.objects) {
    const old = before.get(object.name);
    if (!old) {
      actions.push({ kind: 'create_table', object });
      continue;
    }
    const oldFields = byName(old.fields);
    for (const field of object.fields) {
      const previous = oldFields.get(field.name);
      if (!previous) actions.push({ kind: 'add_field', object: object.name, field });
      else actions.push(...fieldChanges(object.name, previous, field));
    }
  }
  return [...actions, ...sortIndexes(published, draft)];
}

/** An index per list-view sort (with id last, as the list orders), made once: views already published have theirs. */
function sortIndexes(published: MetaDocument | null, draft: MetaDocument): SchemaAction[] {
  const indexed = new Set((published?.objects ?? []).flatMap((o) => o.listViews.map((v) => `${o.name}:${v.sort}`)));
  return draft.objects.flatMap((object) =>
    object.listViews
      .filter((view) => view.sort && !indexed.has(`${object.name}:${view.sort}`))
      .map((view) => ({ kind: 'ensure_sort_index' as const, object: object.name, keys: parseSortSpec(object.fields, view.sort).keys.filter((k) => k.column !== 'id') })),
  );
}

function fieldChanges(object: string, from: FieldDefinition, to: FieldDefinition): SchemaAction[] {
  const actions: SchemaAction[] = [];
  const [oldColumn] = columnsOf(from);
  const [newColumn] = columnsOf(to);
  if (oldColumn && newColumn) {
    const change = from.type === to.type && oldColumn.typeKey === newColumn.typeKey ? sameTypeChange(from, to) : conversion(from, to, newColumn.name);
    if (change === null) {
      throw new AppError('TYPE_CHANGE_NOT_SUPPORTED', 422, { params: { field: `${object}.${to.name}`, from: from.type, to: to.type }, details: { object, field: to.name } });
    }
    if (oldColumn.typeKey !== newColumn.typeKey) actions.push({ kind: 'convert_column', object, field: to.name, column: newColumn.name, to, conversion: change });
    else if (change.failing) actions.push({ kind: 'check_values', object, field: to.name, column: newColumn.name, failing: change.failing });
    const oldRef = oldColumn.references;
    const newRef = newColumn.references;
    if (newRef && (!oldRef || oldRef.onDelete !== newRef.onDelete || oldRef.table !== newRef.table)) {
      actions.push({ kind: 'replace_foreign_key', object, column: newColumn.name, references: newRef });
    }
  } else if (Boolean(oldColumn) !== Boolean(newColumn)) {
    throw new AppError('TYPE_CHANGE_NOT_SUPPORTED', 422, { params: { field: `${object}.${to.name}`, from: from.type, to: to.type }, details: { object, field: to.name } });
  }
  if (newColumn && to.unique && !from.unique) actions.push({ kind: 'create_unique', object, column: newColumn.name });
  if (newColumn && !to.unique && from.unique) actions.push({ kind: 'drop_unique', object, column: newColumn.name });
  return actions;
}

/** Same column type: only a select losing options or text getting a lower limit can strand existing values. */
function sameTypeChange(from: FieldDefinition, to: FieldDefinition): Conversion {
  if (from.type === 'single_select' && to.type === 'single_select') {
    const removed = from.options.some((o) => !to.options.some((n) => n.key === o.key));
    return { using: null, failing: removed ? outsideOptions(to.name, to.options) : null };
  }
  if ((from.type === 'text' || from.type === 'long_text') && from.type === to.type) return conversion(from, to, to.name)!;
  return { using: null, failing: null };
}
