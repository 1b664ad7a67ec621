import type { AppDefinition, ObjectDefinition } from '@threadbase/platform/contracts';
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { usePublishedMetaStore } from '../../shared/components/records/published-meta-store.ts';
import { useSessionStore } from '../../shared/stores/session.ts';

/** Per user, so colleagues sharing a browser each come back to their own app. */
export const appStorageKey = (userId: string) => `threadbase.app.${userId}`;

/**
 * The app a person works in, chosen in the launcher and remembered in this browser. The published
 * metadata already lists only the apps and objects she may open, so an app that is gone (archived, or
 * no longer hers) simply falls back to "all objects".
 */
export const useCurrentAppStore = defineStore('current-app', () => {
  const meta = usePublishedMetaStore();
  const session = useSessionStore();
  const chosen = ref<string | null>(null);
  const apps = computed<AppDefinition[]>(() => meta.published?.document.apps ?? []);
  const current = computed(() => find(chosen.value));
  /** The objects the records screens offer: the current app's, in its order, or every published object. */
  const objects = computed<ObjectDefinition[]>(() =>
    current.value ? current.value.objects.flatMap((name) => meta.byName.get(name) ?? []) : meta.objects,
  );

  watch(() => session.user?.id ?? null, (userId) => (chosen.value = userId ? recall(userId) : null), { immediate: true });

  return { apps, chosen, current, objects, choose, find };

  function find(name: string | null): AppDefinition | null {
    return name === null ? null : (apps.value.find((app) => app.name === name) ?? null);
  }

  /** `null` is "all objects". */
  function choose(name: string | null): void {
    chosen.value = name;
    const userId = session.user?.id;
    if (!userId) return;
    try {
      if (name === null) localStorage.removeItem(appStorageKey(userId));
      else localStorage.setItem(appStorageKey(userId), name);
    } catch {
      // Storage may be full or refused (private windows): the choice then lasts until the page reloads.
    }
  }
});

function recall(userId: string): string | null {
  try {
    return localStorage.getItem(appStorageKey(userId));
  } catch {
    return null;
  }
}
