import type { FieldDefinition } from '@threadbase/platform/contracts';
import { ref, shallowRef, toValue, type MaybeRefOrGetter } from 'vue';
import { isApiError } from '../../../shared/api/api-error.ts';
import { recordsApi, type RecordData } from '../../../shared/api/records-api.ts';
import { formErrors, type ErrorTexts } from '../../../shared/components/records/form-errors.ts';

export type CellRef = { rowId: string; field: string };
/** A refused save, shown under its cell; `conflict` when someone else saved the record first. */
export type CellProblem = CellRef & { message: string; conflict: boolean };

export type InlineEditOptions = {
  object: MaybeRefOrGetter<string>;
  /** The list's `expand=`, so a re-read row shows names for its users and lookups as before. */
  expand: MaybeRefOrGetter<string>;
  texts: () => ErrorTexts;
  /** Puts a re-read row in the table in place of the one shown. */
  replace: (row: RecordData) => void;
};

/**
 * One table cell edited in place. A save sends the one changed field with the version the row was
 * read at, so a change someone made since is a 409, never overwritten; the row is then read back
 * (with its expansions) rather than patched from the answer. One cell at a time, one save at a time.
 */
export function useInlineEdit(options: InlineEditOptions) {
  const editing = ref<CellRef | null>(null);
  const draft = shallowRef<unknown>(null);
  const saving = ref(false);
  const problem = ref<CellProblem | null>(null);
  let base: RecordData | null = null;

  return { editing, draft, saving, problem, isEditing, problemAt, start, cancel, commit, reloadRow };

  function isEditing(row: RecordData, field: FieldDefinition): boolean {
    return editing.value?.rowId === row.id && editing.value.field === field.name;
  }

  function problemAt(row: RecordData, field: FieldDefinition): CellProblem | null {
    const p = problem.value;
    return p && p.rowId === row.id && p.field === field.name ? p : null;
  }

  function start(row: RecordData, field: FieldDefinition): void {
    if (saving.value || isEditing(row, field)) return;
    base = row;
    editing.value = { rowId: row.id, field: field.name };
    draft.value = row[field.name] ?? null;
    problem.value = null;
  }

  function cancel(): void {
    editing.value = null;
    problem.value = null;
    base = null;
  }

  /** Saves the draft; true when the cell is done (saved, or nothing changed). */
  async function commit(): Promise<boolean> {
    const cell = editing.value;
    const row = base;
    if (!cell || !row || saving.value) return false;
    const value = draft.value;
    if (JSON.stringify(value ?? null) === JSON.stringify(row[cell.field] ?? null)) {
      cancel();
      return true;
    }
    saving.value = true;
    problem.value = null;
    try {
      await recordsApi.update(toValue(options.object), row.id, row.version, { [cell.field]: value });
      options.replace(await recordsApi.get(toValue(options.object), row.id, toValue(options.expand) || undefined));
      if (editing.value === cell) cancel();
      return true;
    } catch (error) {
      problem.value = { ...cell, ...describe(error, cell.field) };
      return false;
    } finally {
      saving.value = false;
    }
  }

  /** After a conflict: shows the record as it is now; the person makes her change again on it. */
  async function reloadRow(rowId: string): Promise<void> {
    try {
      options.replace(await recordsApi.get(toValue(options.object), rowId, toValue(options.expand) || undefined));
      if (editing.value?.rowId === rowId) cancel();
      if (problem.value?.rowId === rowId) problem.value = null;
    } catch (error) {
      if (problem.value?.rowId === rowId) problem.value = { ...problem.value, ...describe(error, problem.value.field), conflict: false };
    }
  }

  function describe(error: unknown, field: string): { message: string; conflict: boolean } {
    if (isApiError(error, 'VERSION_CONFLICT')) return { message: error.message, conflict: true };
    const { fields, general } = formErrors(error, options.texts());
    return { message: fields[field] ?? general ?? options.texts().fallback, conflict: false };
  }
}
