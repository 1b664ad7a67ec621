import type { FieldDefinition } from '@threadbase/platform/contracts';
import { ref, toValue, type MaybeRefOrGetter } from 'vue';
import { isApiError } from '../../../shared/api/api-error.ts';
import type { RecordData } from '../../../shared/api/records-api.ts';
import { errorMessage } from '../../../shared/util/notify.ts';
import { bulkApi } from './bulk-api.ts';

export type BulkTexts = {
  /** The row as a person recognises it: the record's name. */
  rowName: (row: RecordData) => string;
  /** Why nothing was changed, naming the row the server refused. */
  failedAt: (name: string, reason: string) => string;
};

/**
 * Changes to the selected rows as one bulk request. The server applies all of them or none, so on an
 * error the table is left as it was and the message names the row that stopped it.
 */
export function useBulkActions(object: MaybeRefOrGetter<string>, texts: () => BulkTexts) {
  const busy = ref(false);
  const error = ref<string | null>(null);

  return { busy, error, editField, remove };

  /** Every row gets the same value, each sent with the version it was read at. */
  function editField(rows: readonly RecordData[], field: FieldDefinition, value: unknown): Promise<boolean> {
    return run(rows, { update: rows.map((row) => ({ id: row.id, version: row.version, [field.name]: value })) });
  }

  function remove(rows: readonly RecordData[]): Promise<boolean> {
    return run(rows, { delete: rows.map((row) => row.id) });
  }

  async function run(rows: readonly RecordData[], body: Parameters<typeof bulkApi.apply>[1]): Promise<boolean> {
    if (busy.value || rows.length === 0) return false;
    busy.value = true;
    error.value = null;
    try {
      await bulkApi.apply(toValue(object), body);
      return true;
    } catch (caught) {
      error.value = explain(caught, rows);
      return false;
    } finally {
      busy.value = false;
    }
  }

  function explain(caught: unknown, rows: readonly RecordData[]): string {
    const index = isApiError(caught) ? caught.details.index : undefined;
    const row = typeof index === 'number' ? rows[index] : undefined;
    return row ? texts().failedAt(texts().rowName(row), errorMessage(caught)) : errorMessage(caught);
  }
}
