import type { Thread } from '@threadbase/platform/contracts';
import { onBeforeUnmount, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { realtimeSocket, type ServerEvents } from '../../shared/api/realtime.ts';
import { threadsApi } from '../../shared/api/threads-api.ts';
import { useSessionStore } from '../../shared/stores/session.ts';

/**
 * The open conversation's description (title, members and their roles), fetched when it opens, after each
 * change made here, and when the server says someone else changed it.
 */
export function useConversation(threadId: MaybeRefOrGetter<string | null>) {
  const thread = shallowRef<Thread | null>(null);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  let generation = 0;

  watch(() => toValue(threadId), load, { immediate: true });
  const userId = useSessionStore().user?.id;
  const socket = userId ? realtimeSocket(userId) : null;
  const onUpdated: ServerEvents['thread:updated'] = (event) => event.threadId === toValue(threadId) && void load(event.threadId);
  socket?.on('thread:updated', onUpdated);
  onBeforeUnmount(() => socket?.off('thread:updated', onUpdated));

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
