import type { User } from '@threadbase/platform/contracts';
import { defineStore } from 'pinia';
import { shallowReactive } from 'vue';
import { orgApi } from '../../api/org-api.ts';

export type Person = Pick<User, 'id' | 'displayName' | 'avatarUrl'> & { login?: string };

/** The server's most ids per call. */
const BATCH = 200;

/**
 * Names and avatars of people by id, for authors of messages and user fields. Each id is asked for once
 * per page, and the ids asked for in one tick (a thread's authors, a list's users) go in one request;
 * expanded records hand over what they already carry, so a list costs no extra requests.
 */
export const usePeopleStore = defineStore('people', () => {
  const byId = shallowReactive(new Map<string, Person | null>());
  const pending = new Map<string, Promise<void>>();
  let queued: string[] = [];
  let batch: Promise<void> | null = null;

  return { byId, remember, ensure, nameOf };

  function remember(person: Person): void {
    byId.set(person.id, person);
  }

  /** Fetches the people not known yet; someone who does not exist is remembered as null. */
  async function ensure(ids: Iterable<string | null | undefined>): Promise<void> {
    const wanted = [...new Set([...ids].filter((id): id is string => typeof id === 'string' && !byId.has(id)))];
    await Promise.all(wanted.map((id) => pending.get(id) ?? enqueue(id)));
  }

  function enqueue(id: string): Promise<void> {
    queued.push(id);
    batch ??= Promise.resolve().then(flush);
    pending.set(id, batch);
    return batch;
  }

  async function flush(): Promise<void> {
    const ids = queued;
    queued = [];
    batch = null;
    const chunks = Array.from({ length: Math.ceil(ids.length / BATCH) }, (_, i) => ids.slice(i * BATCH, (i + 1) * BATCH));
    await Promise.all(chunks.map(fetchChunk));
  }

  async function fetchChunk(ids: string[]): Promise<void> {
    try {
      const { items } = await orgApi.listUsers({ ids: ids.join(','), limit: BATCH });
      for (const user of items) byId.set(user.id, user);
      // Someone gone stays unnamed.
      for (const id of ids) if (!byId.has(id)) byId.set(id, null);
    } catch {
      // A failed request is asked again next time.
    } finally {
      for (const id of ids) pending.delete(id);
    }
  }

  function nameOf(id: string | null | undefined): string {
    return (id && byId.get(id)?.displayName) || '';
  }
});
