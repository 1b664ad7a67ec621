/** A record someone opened, as the search box lists it before she types. */
export type RecentRecord = { object: string; id: string; title: string; objectLabel: string; at: number };

const KEEP = 10;

/** Puts `record` first, without an earlier visit of the same record, keeping the last `KEEP`. */
export function withVisit(list: readonly RecentRecord[], record: RecentRecord): RecentRecord[] {
  return [record, ...list.filter((r) => !(r.object === record.object && r.id === record.id))].slice(0, KEEP);
}

/** What was stored, if it still reads as such a list; anything else (another version, hand-edited) as nothing. */
export function parseRecent(text: string | null): RecentRecord[] {
  try {
    const value: unknown = JSON.parse(text ?? '[]');
    if (!Array.isArray(value)) return [];
    return value
      .filter((r): r is RecentRecord => !!r && typeof r === 'object' && ['object', 'id', 'title', 'objectLabel'].every((k) => typeof (r as Record<string, unknown>)[k] === 'string') && typeof (r as RecentRecord).at === 'number')
      .slice(0, KEEP);
  } catch {
    return [];
  }
}
