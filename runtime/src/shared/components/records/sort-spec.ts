/** The records API's sort syntax for one column: "amount", "-amount" or nothing. */
export type SortDirection = 'ascending' | 'descending' | 'none';

export function sortDirection(sort: string, field: string): SortDirection {
  const first = sort.split(',')[0]?.trim() ?? '';
  if (first === field) return 'ascending';
  if (first === `-${field}`) return 'descending';
  return 'none';
}

/** A header click: ascending first, then descending, then back to the list's own order. */
export function nextSort(sort: string, field: string): string {
  switch (sortDirection(sort, field)) {
    case 'none':
      return field;
    case 'ascending':
      return `-${field}`;
    default:
      return '';
  }
}
