import { ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type ShallowRef } from 'vue';

/**
 * What `load` answers for the current request, loaded again whenever the request changes (compared as
 * JSON) and on `reload()`. An answer to a request that has since changed is dropped; a null request loads
 * nothing and keeps what was there.
 */
export function useLatest<Req, Res>(request: MaybeRefOrGetter<Req | null>, load: (req: Req) => Promise<Res>, initial: Res) {
  const data = shallowRef(initial) as ShallowRef<Res>;
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  let generation = 0;

  watch(() => JSON.stringify(toValue(request)), () => void reload(), { immediate: true });

  return { data, loading, error, reload };

  async function reload(): Promise<void> {
    const current = ++generation;
    const req = toValue(request);
    if (req === null) return;
    loading.value = true;
    error.value = null;
    try {
      const answer = await load(req);
      if (current === generation) data.value = answer;
    } catch (caught) {
      if (current === generation) error.value = caught;
    } finally {
      if (current === generation) loading.value = false;
    }
  }
}
