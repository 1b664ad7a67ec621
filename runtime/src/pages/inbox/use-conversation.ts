import type { Thread } from '@threadbase/platform/contracts';
import { ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { threadsApi } from '../../shared/api/threads-api.ts';

/** The open conversation's description (title, members and their roles), fetched when it opens and after each change of members. */
export function useConversation(threadId: MaybeRefOrGetter<string | null>) {
  const thread = shallowRef<Thread | null>(null);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  let generation = 0;

  watch(() => toValue(threadId), load, { immediate: true });

  return { thread, loading, error, reload: () => load(toValue(threadId)), adopt };

  async function load(id: string | null): Promise<void> {
    const current = ++generation;
    error.value = null;
    if (thread.value?.id !== id) thread.value = null;
    if (!id) return;
    loading.value = true;
    try {
      const answer = await threadsApi.get(id);
      if (current === generation) thread.value = answer;
    } catch (caught) {
      if (current === generation) error.value = caught;
    } finally {
      if (current === generation) loading.value = false;
    }
  }

  /** A newer description the server answered to a change made here. */
  function adopt(next: Thread): void {
    if (next.id === toValue(threadId)) thread.value = next;
  }
}
