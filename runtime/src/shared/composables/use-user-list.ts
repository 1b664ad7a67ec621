import type { User, UserStatus } from '@threadbase/platform/contracts';
import { ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { orgApi } from '../api/org-api.ts';

export type UserFilters = { q: string; departmentId: string | null; status: UserStatus | null };

/**
 * A cursor-paged people list that follows its filters: typing in the search box waits for a pause,
 * other filter changes reload at once, and an answer to an outdated query is dropped.
 */
export function useUserList(filters: MaybeRefOrGetter<UserFilters>, options: { pageSize?: number; debounceMs?: number } = {}) {
  const items = shallowRef<User[]>([]);
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const loadingMore = ref(false);
  const error = shallowRef<unknown>(null);
  const pageSize = options.pageSize ?? 30;
  const debounceMs = options.debounceMs ?? 250;
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  watch(
    () => ({ ...toValue(filters) }),
    (next, previous) => {
      clearTimeout(timer);
      const onlyTyping = previous && next.departmentId === previous.departmentId && next.status === previous.status;
      if (onlyTyping) timer = setTimeout(reload, debounceMs);
      else void reload();
    },
    { immediate: true },
  );

  return { items, nextCursor, loading, loadingMore, error, reload, loadMore, replace };

  async function reload(): Promise<void> {
    clearTimeout(timer);
    const current = ++generation;
    loading.value = true;
    error.value = null;
    try {
      const page = await orgApi.listUsers(query(null));
      if (current !== generation) return;
      items.value = page.items;
      nextCursor.value = page.nextCursor;
    } catch (caught) {
      if (current === generation) error.value = caught;
    } finally {
      if (current === generation) loading.value = false;
    }
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor.value || loading.value || loadingMore.value) return;
    const current = generation;
    loadingMore.value = true;
    try {
      const page = await orgApi.listUsers(query(nextCursor.value));
      if (current !== generation) return;
      items.value = [...items.value, ...page.items];
      nextCursor.value = page.nextCursor;
    } catch (caught) {
      if (current === generation) error.value = caught;
    } finally {
      loadingMore.value = false;
    }
  }

  /** Puts an edited person in place without reloading the list. */
  function replace(user: User): void {
    items.value = items.value.map((item) => (item.id === user.id ? user : item));
  }

  function query(cursor: string | null) {
    const { q, departmentId, status } = toValue(filters);
    return { q: q.trim(), departmentId, status, limit: pageSize, cursor };
  }
}
