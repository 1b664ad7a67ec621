import type { FieldDefinition } from '@threadbase/platform/contracts';
import type { RecordData } from '../../../shared/api/records-api.ts';
import { localised } from '../../../shared/components/records/field-kinds.ts';

export type SelectField = Extract<FieldDefinition, { type: 'single_select' }>;

/** One column of the board: an option of the grouping field, or `key: null` for records without one. */
export type KanbanColumn = {
  key: string | null;
  label: string;
  color: string;
  items: RecordData[];
  total: number;
  cursor: string | null;
  loading: boolean;
  error: unknown;
};

/** A card taken from one column and put at the top of another, remembered so that it can be undone. */
export type CardMove = { record: RecordData; from: string | null; to: string | null; index: number };

export function isSelectField(field: FieldDefinition): field is SelectField {
  return field.type === 'single_select';
}

/** The field's options in their order, in the reader's language, then the "(none)" column. */
export function buildColumns(field: SelectField, locale: string, noneLabel: string): KanbanColumn[] {
  const empty = { items: [], total: 0, cursor: null, loading: true, error: null };
  return [
    ...field.options.map((option) => ({ key: option.key, label: localised(option.label, locale), color: option.color, ...empty })),
    { key: null, label: noneLabel, color: '', ...empty },
  ];
}

/** The list's filter narrowed to one column's records. */
export function columnFilter(base: string | undefined, field: string, key: string | null): string {
  const own = key === null ? { field, op: 'is_empty' } : { field, op: 'eq', value: key };
  return JSON.stringify(base ? { and: [JSON.parse(base) as unknown, own] } : own);
}

/**
 * The board with the card moved to the top of column `to`, its field already showing the new option;
 * null when the card is not on the board or already in that column.
 */
export function moveCard(columns: readonly KanbanColumn[], id: string, field: string, to: string | null): { columns: KanbanColumn[]; move: CardMove } | null {
  const source = columns.find((c) => c.items.some((r) => r.id === id));
  if (!source || source.key === to || !columns.some((c) => c.key === to)) return null;
  const index = source.items.findIndex((r) => r.id === id);
  const record = source.items[index]!;
  const move: CardMove = { record, from: source.key, to, index };
  const moved = { ...record, [field]: to };
  return { columns: columns.map((c) => place(c, move, moved)), move };
}

/** Puts a moved card back where it came from, as it was before the move. */
export function undoMove(columns: readonly KanbanColumn[], move: CardMove): KanbanColumn[] {
  return columns.map((c) => {
    if (c.key === move.to) return { ...c, items: c.items.filter((r) => r.id !== move.record.id), total: Math.max(0, c.total - 1) };
    if (c.key !== move.from) return c;
    const items = [...c.items];
    items.splice(Math.min(move.index, items.length), 0, move.record);
    return { ...c, items, total: c.total + 1 };
  });
}

/** Swaps in the server's copy of a card (its new version), wherever it is. */
export function replaceCard(columns: readonly KanbanColumn[], record: RecordData): KanbanColumn[] {
  return columns.map((c) => (c.items.some((r) => r.id === record.id) ? { ...c, items: c.items.map((r) => (r.id === record.id ? record : r)) } : c));
}

function place(column: KanbanColumn, move: CardMove, moved: RecordData): KanbanColumn {
  if (column.key === move.from) return { ...column, items: column.items.filter((r) => r.id !== move.record.id), total: Math.max(0, column.total - 1) };
  if (column.key === move.to) return { ...column, items: [moved, ...column.items], total: column.total + 1 };
  return column;
}
