import type { SearchHit, SearchKind } from '@threadbase/platform/contracts';
import { request } from './http.ts';

export type { SearchHit, SearchKind };

export const searchApi = {
  /** Messages, records by name and files by name that the caller may read, best match first. */
  search: (q: string, options: { kind?: SearchKind; limit?: number } = {}) => request<{ items: SearchHit[] }>('GET', '/api/v1/search', { query: { q, ...options } }),
};
