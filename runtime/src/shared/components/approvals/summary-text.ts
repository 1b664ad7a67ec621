/**
 * A summary value as text. The approval gives the values as they were submitted, without the field's
 * definition; plain values read as they are, and structured ones (a link, a person) by their name.
 */
export function summaryText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.map(summaryText).join(', ');
  if (typeof value === 'boolean') return value ? '✓' : '✗';
  if (typeof value === 'object') {
    const named = value as { name?: unknown; displayName?: unknown; label?: unknown };
    const name = named.displayName ?? named.name ?? named.label;
    return typeof name === 'string' ? name : JSON.stringify(value);
  }
  return String(value);
}
