import type { ObjectDefinition } from '@threadbase/platform/contracts';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { metaApi, type PublishedMeta } from '../../api/meta-api.ts';

/**
 * The published metadata every generated screen is drawn from, fetched once per page. An object the
 * cache does not know may have been published since: `object()` asks the server again before giving up.
 */
export const usePublishedMetaStore = defineStore('published-meta', () => {
  const published = shallowRef<PublishedMeta | null>(null);
  const loaded = ref(false);
  const objects = computed(() => (published.value?.document.objects ?? []).filter((o) => !o.archived));
  const byName = computed(() => new Map(objects.value.map((o) => [o.name, o])));
  let pending: Promise<void> | null = null;

  return { published, loaded, objects, byName, load, reload, hydrate, dehydrate, object };

  function load(): Promise<void> {
    return loaded.value ? Promise.resolve() : reload();
  }

  function reload(): Promise<void> {
    pending ??= metaApi.published().then(hydrate).finally(() => (pending = null));
    return pending;
  }

  function hydrate(next: PublishedMeta): void {
    published.value = next;
    loaded.value = true;
  }

  function dehydrate(): void {
    published.value = null;
    loaded.value = false;
  }

  async function object(name: string): Promise<ObjectDefinition | null> {
    await load();
    if (!byName.value.has(name)) await reload();
    return byName.value.get(name) ?? null;
  }
});
