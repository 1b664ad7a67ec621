import type { ListView, MyObjectAccess, ObjectDefinition } from '@threadbase/platform/contracts';
import { computed, ref, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { listColumns, visibleFields } from '../../../shared/components/records/field-kinds.ts';
import { chosenColumns, columnsStorageKey, offeredFields, parseChoice } from './column-choice.ts';

export type ColumnChoiceSource = { userId: string; object: ObjectDefinition; view: ListView | null; access: MyObjectAccess | null };

/**
 * The table's columns as the person chose them for this object and list view, remembered in this
 * browser; the view's own columns until she chooses. Metadata or rights that changed since she saved
 * are applied when the choice is read, so a removed or hidden field never comes back as a column.
 */
export function useColumnChoice(source: MaybeRefOrGetter<ColumnChoiceSource | null>) {
  const saved = ref<string[] | null>(null);
  const key = computed(() => {
    const s = toValue(source);
    return s?.userId ? columnsStorageKey(s.userId, s.object.name, s.view?.name ?? null) : null;
  });
  const defaults = computed(() => {
    const s = toValue(source);
    return s ? listColumns(s.object, s.view, s.access) : [];
  });
  const offered = computed(() => {
    const s = toValue(source);
    return s ? offeredFields(visibleFields(s.object, s.access), defaults.value) : [];
  });
  const recordName = computed(() => toValue(source)?.object.recordName ?? '');
  const columns = computed(() => chosenColumns(saved.value, offered.value, defaults.value, recordName.value));

  watch(key, (k) => (saved.value = k ? recall(k) : null), { immediate: true });

  return { columns, offered, recordName, choose, reset };

  function choose(names: string[]): void {
    saved.value = names;
    store((k) => localStorage.setItem(k, JSON.stringify(names)));
  }

  function reset(): void {
    saved.value = null;
    store((k) => localStorage.removeItem(k));
  }

  function store(write: (key: string) => void): void {
    if (!key.value) return;
    try {
      write(key.value);
    } catch {
      // Storage full or refused (private windows): the choice lasts until the page reloads.
    }
  }
}

function recall(key: string): string[] | null {
  try {
    return parseChoice(localStorage.getItem(key));
  } catch {
    return null;
  }
}
