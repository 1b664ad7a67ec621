import { ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { recordsApi, type RecordData } from '../../shared/api/records-api.ts';

export type RecordListRequest = { object: string; filter?: string; sort: string; page: number; pageSize: number; expand: string };

/**
 * One page of an object's records with the total, following its request: a page number and size
 * (offset paging, so a person can jump to page 7) rather than a cursor. An answer to an outdated
 * request is dropped.
 */
export function useRecordList(request: MaybeRefOrGetter<RecordListRequest | null>) {
  const items = shallowRef<RecordData[]>([]);
  const total = ref(0);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  let generation = 0;

  watch(() => JSON.stringify(toValue(request)), () => void reload(), { immediate: true });

  return { items, total, loading, error, reload };

  async function reload(): Promise<void> {
    const current = ++generation;
    const req = toValue(request);
    if (!req) return;
    loading.value = true;
    error.value = null;
    try {
      const page = await recordsApi.list(req.object, {
        filter: req.filter,
        sort: req.sort || undefined,
        limit: req.pageSize,
        offset: (req.page - 1) * req.pageSize,
        expand: req.expand || undefined,
        count: true,
      });
      if (current !== generation) return;
      items.value = page.items;
      total.value = page.total ?? page.items.length;
    } catch (caught) {
      if (current === generation) error.value = caught;
    } finally {
      if (current === generation) loading.value = false;
    }
  }
}
