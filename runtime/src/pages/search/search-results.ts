import type { SearchHit } from '../../shared/api/search-api.ts';

/** A piece of a snippet, matched or not, for marking matches without rendering HTML. */
export type Segment = { text: string; match: boolean };

/** The snippet cut at its highlights (in order, not overlapping, as the API gives them); out-of-range ones are ignored. */
export function segments(snippet: string, highlights: readonly { start: number; end: number }[]): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const { start, end } of highlights) {
    if (start < at || end <= start || end > snippet.length) continue;
    if (start > at) out.push({ text: snippet.slice(at, start), match: false });
    out.push({ text: snippet.slice(start, end), match: true });
    at = end;
  }
  if (at < snippet.length) out.push({ text: snippet.slice(at), match: false });
  return out;
}

/** Where a hit leads: a record's page, a conversation, or a file's download. */
export type Destination = { route: string } | { href: string } | null;

/** A message opens its thread at itself (`?message=<seq>`): on its record's page, or in the inbox. */
export function destination(hit: SearchHit): Destination {
  if (hit.kind === 'file') return hit.fileId ? { href: `/api/v1/files/${hit.fileId}` } : null;
  const at = hit.kind === 'message' && hit.seq !== null ? `?message=${hit.seq}` : '';
  if (hit.object && hit.recordId) return { route: `/o/${hit.object}/${hit.recordId}${at}` };
  if (hit.kind === 'message' && hit.threadId) return { route: `/inbox/${hit.threadId}${at}` };
  return null;
}

/** Hits grouped by kind, records first, each group in the API's order (best match first). */
export function groupHits<T extends { kind: SearchHit['kind'] }>(hits: readonly T[]): { kind: SearchHit['kind']; hits: T[] }[] {
  return (['record', 'message', 'file'] as const).map((kind) => ({ kind, hits: hits.filter((h) => h.kind === kind) })).filter((g) => g.hits.length > 0);
}
