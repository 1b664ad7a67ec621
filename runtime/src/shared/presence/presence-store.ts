import type { PresenceStatus } from '@threadbase/platform/contracts';
import { defineStore } from 'pinia';
import { shallowReactive, watch } from 'vue';
import { realtimeSocket, type ServerEvents } from '../api/realtime.ts';
import { useSessionStore } from '../stores/session.ts';
import { PRESENCE_BATCH, presenceApi } from './presence-api.ts';

/**
 * Who is online, away or offline, for the people the screen shows. The ids wanted in one tick (a list's
 * avatars) go in one request; after that the socket's `presence` events keep them live, and everything
 * known is read again after a reconnect, since events sent while disconnected are lost.
 */
export const usePresenceStore = defineStore('presence', () => {
  const byId = shallowReactive(new Map<string, PresenceStatus>());
  /** Every id asked for: these are read again after a reconnect. */
  const wanted = new Set<string>();
  /** Events heard per id: an answer asked for before an event must not overwrite what the event said. */
  const heard = new Map<string, number>();
  let queued: string[] = [];
  let batch: Promise<void> | null = null;
  let detach: (() => void) | null = null;
  const session = useSessionStore();

  watch(() => session.user?.id ?? null, follow, { immediate: true });

  return { byId, statusOf, ensure, remember };

  function statusOf(userId: string | null | undefined): PresenceStatus | null {
    return (userId && byId.get(userId)) || null;
  }

  /** Starts following these people; the ones not asked for yet are fetched together. */
  function ensure(ids: Iterable<string | null | undefined>): Promise<void> {
    const fresh = [...new Set([...ids].filter((id): id is string => typeof id === 'string' && id !== '' && !wanted.has(id)))];
    for (const id of fresh) wanted.add(id);
    return fresh.length ? enqueue(fresh) : (batch ?? Promise.resolve());
  }

  /** A status the server answered elsewhere (the directory's list carries it). */
  function remember(userId: string, status: PresenceStatus): void {
    wanted.add(userId);
    byId.set(userId, status);
  }

  function enqueue(ids: string[]): Promise<void> {
    queued.push(...ids);
    batch ??= Promise.resolve().then(flush);
    return batch;
  }

  async function flush(): Promise<void> {
    const ids = [...new Set(queued)];
    queued = [];
    batch = null;
    const chunks = Array.from({ length: Math.ceil(ids.length / PRESENCE_BATCH) }, (_, i) => ids.slice(i * PRESENCE_BATCH, (i + 1) * PRESENCE_BATCH));
    await Promise.all(chunks.map(fetchChunk));
  }

  async function fetchChunk(ids: string[]): Promise<void> {
    const before = new Map(ids.map((id) => [id, heard.get(id) ?? 0]));
    try {
      const { items } = await presenceApi.of(ids);
      for (const { userId, status } of items) if ((heard.get(userId) ?? 0) === before.get(userId)) byId.set(userId, status);
    } catch {
      // A dot is a hint: without an answer it stays as it was, and is read again at the next reconnect.
    }
  }

  function follow(userId: string | null): void {
    detach?.();
    detach = null;
    byId.clear();
    wanted.clear();
    heard.clear();
    if (!userId) return;
    const socket = realtimeSocket(userId);
    const onPresence: ServerEvents['presence'] = ({ userId: who, status }) => {
      heard.set(who, (heard.get(who) ?? 0) + 1);
      if (wanted.has(who)) byId.set(who, status);
    };
    // Also on the first connect: whatever changed between a read and the socket's joining the workspace was missed.
    const onConnect = () => void (wanted.size && enqueue([...wanted]));
    socket.on('presence', onPresence);
    socket.on('connect', onConnect);
    detach = () => {
      socket.off('presence', onPresence);
      socket.off('connect', onConnect);
    };
  }
});
