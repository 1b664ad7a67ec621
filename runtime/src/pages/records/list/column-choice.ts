import type { FieldDefinition } from '@threadbase/platform/contracts';

/** A list without a view of its own; not a valid view name, so it never meets a real one. */
const NO_VIEW = '_default';

/** Per user (colleagues share a browser), per object and per list view. */
export const columnsStorageKey = (userId: string, object: string, view: string | null) => `threadbase.columns.${userId}.${object}.${view ?? NO_VIEW}`;

/** A saved choice as written by an earlier page: anything but a list of names counts as no choice. */
export function parseChoice(raw: string | null): string[] | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) && value.every((name) => typeof name === 'string') ? value : null;
  } catch {
    return null;
  }
}

/** What the chooser offers: the view's columns in their order, then the person's other visible fields. */
export function offeredFields(visible: readonly FieldDefinition[], defaults: readonly FieldDefinition[]): FieldDefinition[] {
  return [...defaults, ...visible.filter((f) => !defaults.includes(f))];
}

/**
 * The columns a saved choice shows, in its order. It was saved against older metadata and rights:
 * names no longer offered (field removed, now hidden) are dropped, and the record's name comes back
 * first if it went missing. A choice left with nothing else shows the view's defaults.
 */
export function chosenColumns(choice: readonly string[] | null, offered: readonly FieldDefinition[], defaults: readonly FieldDefinition[], recordName: string): FieldDefinition[] {
  if (!choice) return [...defaults];
  const byName = new Map(offered.map((f) => [f.name, f]));
  const kept = [...new Set(choice)].map((name) => byName.get(name)).filter((f): f is FieldDefinition => f !== undefined);
  const name = byName.get(recordName);
  const columns = name && !kept.includes(name) ? [name, ...kept] : kept;
  return columns.some((f) => f.name !== recordName) ? columns : [...defaults];
}

/** `names` with `name` moved one place towards the start (-1) or the end (+1); at an edge, unchanged. */
export function moveName(names: readonly string[], name: string, step: -1 | 1): string[] {
  const from = names.indexOf(name);
  const to = from + step;
  if (from < 0 || to < 0 || to >= names.length) return [...names];
  const next = [...names];
  [next[from], next[to]] = [next[to]!, next[from]!];
  return next;
}
