import type { User } from '@threadbase/platform/contracts';
import { ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { orgApi } from '../../shared/index.ts';

/** One person and their manager, fetched fresh whenever the id changes. */
export function usePerson(id: MaybeRefOrGetter<string | null>) {
  const person = shallowRef<User | null>(null);
  const manager = shallowRef<User | null>(null);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  let generation = 0;

  watch(() => toValue(id), load, { immediate: true });

  return { person, manager, loading, error, reload: () => load(toValue(id)) };

  async function load(next: string | null): Promise<void> {
    const current = ++generation;
    error.value = null;
    if (!next) {
      person.value = null;
      manager.value = null;
      return;
    }
    loading.value = true;
    try {
      const user = await orgApi.getUser(next);
      const boss = user.managerId ? await orgApi.getUser(user.managerId).catch(() => null) : null;
      if (current !== generation) return;
      person.value = user;
      manager.value = boss;
    } catch (caught) {
      if (current === generation) error.value = caught;
    } finally {
      if (current === generation) loading.value = false;
    }
  }
}
