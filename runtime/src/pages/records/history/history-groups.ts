import type { RecordHistory } from '../../../shared/api/records-api.ts';

export type HistoryEntry = RecordHistory['items'][number];
/** One save: the fields one person changed at one moment. */
export type HistoryGroup = { key: string; changedAt: string; changedBy: string | null; changes: HistoryEntry[] };

/** Entries newest first, as the API gives them, gathered into saves; each save's fields keep their order. */
export function historyGroups(entries: readonly HistoryEntry[]): HistoryGroup[] {
  const groups: HistoryGroup[] = [];
  for (const entry of entries) {
    const last = groups.at(-1);
    if (last && last.changedAt === entry.changedAt && last.changedBy === entry.changedBy) last.changes.push(entry);
    else groups.push({ key: `${entry.changedAt}-${entry.changedBy ?? 'system'}-${groups.length}`, changedAt: entry.changedAt, changedBy: entry.changedBy, changes: [entry] });
  }
  return groups;
}
