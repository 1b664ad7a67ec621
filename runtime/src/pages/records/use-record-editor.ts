import { computed, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { isApiError } from '../../shared/api/api-error.ts';
import { recordsApi, type RecordData } from '../../shared/api/records-api.ts';
import { formErrors, type ErrorTexts } from '../../shared/components/records/form-errors.ts';
import { changedValues } from './changed-values.ts';

export type RecordRef = { object: string; id: string; expand: string };

/**
 * One record to read and edit. A save sends only the fields changed, with the version they were
 * changed on: if someone saved in between, the server answers 409 and `conflict` holds their version
 * until the person reloads. Other refusals land on the fields they name.
 */
export function useRecordEditor(ref_: MaybeRefOrGetter<RecordRef | null>, texts: () => ErrorTexts) {
  const record = shallowRef<RecordData | null>(null);
  const values = ref<Record<string, unknown>>({});
  const editing = ref(false);
  const saving = ref(false);
  const loading = ref(false);
  const loadError = shallowRef<unknown>(null);
  const fieldErrors = ref<Record<string, string>>({});
  const formError = ref<string | null>(null);
  const conflict = ref<number | null>(null);
  /** Someone else saved while this person was editing: shown, never merged into her edits. */
  const changedElsewhere = ref(false);
  const dirty = computed(() => record.value !== null && Object.keys(changedValues(record.value, values.value)).length > 0);
  let generation = 0;

  watch(() => JSON.stringify(toValue(ref_)), () => {
    editing.value = false;
    void load();
  }, { immediate: true });

  return { record, values, editing, saving, loading, loadError, fieldErrors, formError, conflict, changedElsewhere, dirty, load, startEdit, cancel, save, remoteChange };

  async function load(): Promise<void> {
    const target = toValue(ref_);
    if (!target) return;
    const current = ++generation;
    loading.value = true;
    loadError.value = null;
    try {
      const fresh = await recordsApi.get(target.object, target.id, target.expand || undefined);
      if (current !== generation) return;
      adopt(fresh);
    } catch (caught) {
      if (current === generation) loadError.value = caught;
    } finally {
      if (current === generation) loading.value = false;
    }
  }

  function adopt(fresh: RecordData): void {
    record.value = fresh;
    values.value = { ...fresh };
    fieldErrors.value = {};
    formError.value = null;
    conflict.value = null;
    changedElsewhere.value = false;
    editing.value = false;
  }

  function startEdit(): void {
    if (!record.value) return;
    values.value = { ...record.value };
    editing.value = true;
  }

  function cancel(): void {
    if (record.value) adopt(record.value);
  }

  async function save(): Promise<boolean> {
    const target = toValue(ref_);
    const base = record.value;
    if (!target || !base) return false;
    const patch = changedValues(base, values.value);
    if (Object.keys(patch).length === 0) {
      editing.value = false;
      return true;
    }
    saving.value = true;
    fieldErrors.value = {};
    formError.value = null;
    try {
      await recordsApi.update(target.object, target.id, base.version, patch);
      // Read back with names of users and linked records, which a PATCH answer does not carry.
      adopt(await recordsApi.get(target.object, target.id, target.expand || undefined));
      return true;
    } catch (error) {
      if (isApiError(error, 'VERSION_CONFLICT')) {
        conflict.value = typeof error.details.current === 'number' ? error.details.current : base.version + 1;
        formError.value = error.message;
      } else {
        const { fields, general } = formErrors(error, texts());
        fieldErrors.value = fields;
        formError.value = general;
      }
      return false;
    } finally {
      saving.value = false;
    }
  }

  /** The record changed on the server (a live event): re-read it, unless that would throw edits away. */
  function remoteChange(): void {
    if (editing.value && dirty.value) changedElsewhere.value = true;
    else void load();
  }
}
