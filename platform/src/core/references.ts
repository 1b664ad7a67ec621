const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): boolean => typeof value === 'string' && UUID.test(value);

/**
 * Texts that name something by id or by name, against the rows a query found for them: the one row
 * each text names, 'ambiguous' when a name fits several, absent when it fits none.
 */
export function pickByIdOrName(texts: readonly string[], rows: readonly { id: string; name: string }[]): Map<string, string | 'ambiguous'> {
  const picked = new Map<string, string | 'ambiguous'>();
  for (const text of texts) {
    const matches = rows.filter((r) => (isUuid(text) ? r.id === text.toLowerCase() : r.name === text));
    if (matches.length === 1) picked.set(text, matches[0]!.id);
    else if (matches.length > 1) picked.set(text, 'ambiguous');
  }
  return picked;
}
