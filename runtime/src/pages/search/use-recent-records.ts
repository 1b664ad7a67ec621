import { shallowRef, watch } from 'vue';
import { useSessionStore } from '../../shared/index.ts';
import { parseRecent, withVisit, type RecentRecord } from './recent-records.ts';

/** One person's recently opened records, in this browser: each person on a shared computer has her own. */
const key = (userId: string) => `threadbase.recent.${userId}`;
const recent = shallowRef<RecentRecord[]>([]);
let loadedFor: string | null = null;

/** Call in a component's setup: the list follows whoever is signed in, also when that is known only later. */
export function useRecentRecords() {
  const session = useSessionStore();
  const userId = () => session.user?.id ?? '';

  watch(
    userId,
    (id) => {
      if (loadedFor === id) return;
      loadedFor = id;
      recent.value = id ? parseRecent(localStorage.getItem(key(id))) : [];
    },
    { immediate: true },
  );

  function remember(record: Omit<RecentRecord, 'at'>): void {
    const id = userId();
    if (!id) return;
    recent.value = withVisit(recent.value, { ...record, at: Date.now() });
    try {
      localStorage.setItem(key(id), JSON.stringify(recent.value));
    } catch {
      // Storage full or off (private mode): the list lasts for this page only.
    }
  }

  return { recent, remember };
}
