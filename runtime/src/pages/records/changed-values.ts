import type { RecordData } from '../../shared/api/records-api.ts';

/** Columns the platform keeps itself; they never go into a write. */
const SYSTEM = new Set(['id', 'created_at', 'created_by', 'updated_at', 'updated_by', 'version', '_expanded']);

/** The fields whose value differs from the record's: what a PATCH needs to send, and nothing else. */
export function changedValues(record: RecordData, values: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (SYSTEM.has(name)) continue;
    if (!same(record[name], value)) patch[name] = value;
  }
  return patch;
}

function same(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}
