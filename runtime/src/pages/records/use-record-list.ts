import { computed, type MaybeRefOrGetter } from 'vue';
import { recordsApi, type RecordPageResult } from '../../shared/api/records-api.ts';
import { useLatest } from '../../shared/composables/use-latest.ts';

export type RecordListRequest = { object: string; filter?: string; sort: string; page: number; pageSize: number; expand: string };

/**
 * One page of an object's records with the total, following its request: a page number and size
 * (offset paging, so a person can jump to page 7) rather than a cursor. An answer to an outdated
 * request is dropped.
 */
export function useRecordList(request: MaybeRefOrGetter<RecordListRequest | null>) {
  const empty: RecordPageResult = { items: [], nextCursor: null, total: 0 };
  const { data, loading, error, reload } = useLatest(
    request,
    (req) =>
      recordsApi.list(req.object, {
        filter: req.filter,
        sort: req.sort || undefined,
        limit: req.pageSize,
        offset: (req.page - 1) * req.pageSize,
        expand: req.expand || undefined,
        count: true,
      }),
    empty,
  );
  const items = computed(() => data.value.items);
  const total = computed(() => data.value.total ?? data.value.items.length);
  return { items, total, loading, error, reload };
}
