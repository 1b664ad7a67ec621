import type { ImportRowError, ImportUsersResult } from '@threadbase/platform/contracts';
import { isApiError, notifyError, orgApi } from '@threadbase/runtime/shared';
import { computed, ref, shallowRef, watch } from 'vue';
import { decodeCsv, importRowErrors } from './import-csv.ts';

/**
 * The check-then-import flow: a dry run must pass on exactly the text that is then imported, so any
 * edit after a check asks for a new one.
 */
export function useCsvImport() {
  const csv = ref('');
  const fileName = ref('');
  const busy = ref<'check' | 'import' | null>(null);
  const checked = shallowRef<ImportUsersResult | null>(null);
  const rowErrors = shallowRef<ImportRowError[]>([]);
  const failure = ref('');
  const canImport = computed(() => checked.value !== null && busy.value === null);

  watch(csv, clearOutcome);

  return { csv, fileName, busy, checked, rowErrors, failure, canImport, readFile, check, run, reset };

  async function readFile(file: File): Promise<void> {
    csv.value = decodeCsv(new Uint8Array(await file.arrayBuffer()));
    fileName.value = file.name;
  }

  function check(): Promise<ImportUsersResult | null> {
    return send(true);
  }

  function run(): Promise<ImportUsersResult | null> {
    return checked.value ? send(false) : Promise.resolve(null);
  }

  async function send(dryRun: boolean): Promise<ImportUsersResult | null> {
    busy.value = dryRun ? 'check' : 'import';
    failure.value = '';
    rowErrors.value = [];
    try {
      const result = await orgApi.importUsers(csv.value, dryRun);
      if (dryRun) checked.value = result;
      return result;
    } catch (error) {
      checked.value = null;
      if (isApiError(error, 'IMPORT_FAILED') || isApiError(error, 'FAILED_VALIDATION')) {
        failure.value = error.message;
        rowErrors.value = importRowErrors(error.details);
      } else notifyError(error);
      return null;
    } finally {
      busy.value = null;
    }
  }

  function clearOutcome(): void {
    checked.value = null;
    rowErrors.value = [];
    failure.value = '';
  }

  function reset(): void {
    csv.value = '';
    fileName.value = '';
    clearOutcome();
  }
}
