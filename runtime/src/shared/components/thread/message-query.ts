import type { LocationQuery } from 'vue-router';

/**
 * The message a link opens a thread at: `?message=<seq>` on a record's page or a conversation (search
 * hits lead there). Anything but a positive whole number is ignored, and the thread opens at its end.
 */
export function messageSeqOf(query: LocationQuery): number | null {
  const value = Array.isArray(query.message) ? query.message[0] : query.message;
  if (typeof value !== 'string' || !/^[1-9]\d{0,15}$/.test(value)) return null;
  return Number(value);
}

/** The query that opens a thread at the message with this seq. */
export function messageQuery(seq: number): { message: string } {
  return { message: String(seq) };
}
