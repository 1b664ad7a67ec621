import type { User } from '@threadbase/platform/contracts';
import { defineStore } from 'pinia';
import { shallowReactive } from 'vue';
import { isApiError } from '../../api/api-error.ts';
import { orgApi } from '../../api/org-api.ts';

export type Person = Pick<User, 'id' | 'displayName' | 'avatarUrl'> & { login?: string };

/**
 * Names and avatars of people by id, for authors of messages and user fields. Each id is asked for once
 * per page; expanded records hand over what they already carry, so a list costs no extra requests.
 */
export const usePeopleStore = defineStore('people', () => {
  const byId = shallowReactive(new Map<string, Person | null>());
  const pending = new Map<string, Promise<void>>();

  return { byId, remember, ensure, nameOf };

  function remember(person: Person): void {
    byId.set(person.id, person);
  }

  /** Fetches the people not known yet; someone who does not exist is remembered as null. */
  async function ensure(ids: Iterable<string | null | undefined>): Promise<void> {
    const wanted = [...new Set([...ids].filter((id): id is string => typeof id === 'string' && !byId.has(id)))];
    await Promise.all(wanted.map((id) => pending.get(id) ?? fetch(id)));
  }

  function fetch(id: string): Promise<void> {
    const request = orgApi
      .getUser(id)
      .then(
        (user) => void byId.set(id, user),
        // Someone gone stays unnamed; a failed request is asked again next time.
        (error: unknown) => void (isApiError(error) && error.status === 404 && byId.set(id, null)),
      )
      .finally(() => pending.delete(id));
    pending.set(id, request);
    return request;
  }

  function nameOf(id: string | null | undefined): string {
    return (id && byId.get(id)?.displayName) || '';
  }
});
