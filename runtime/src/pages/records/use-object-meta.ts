import type { MyObjectAccess, ObjectDefinition } from '@threadbase/platform/contracts';
import { ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { metaApi } from '../../shared/api/meta-api.ts';
import { usePublishedMetaStore } from '../../shared/components/records/published-meta-store.ts';

/** An object's published definition and what the user may do with it; `missing` when there is no such object. */
export function useObjectMeta(name: MaybeRefOrGetter<string>) {
  const meta = usePublishedMetaStore();
  const object = shallowRef<ObjectDefinition | null>(null);
  const access = shallowRef<MyObjectAccess | null>(null);
  const loading = ref(true);
  const missing = ref(false);
  const error = shallowRef<unknown>(null);
  let generation = 0;

  watch(() => toValue(name), load, { immediate: true });

  return { object, access, loading, missing, error };

  async function load(objectName: string): Promise<void> {
    const current = ++generation;
    loading.value = true;
    missing.value = false;
    error.value = null;
    try {
      const [definition, rights] = await Promise.all([meta.object(objectName), metaApi.myAccess(objectName).catch(() => null)]);
      if (current !== generation) return;
      object.value = definition;
      access.value = rights;
      missing.value = definition === null;
    } catch (caught) {
      if (current === generation) error.value = caught;
    } finally {
      if (current === generation) loading.value = false;
    }
  }
}
