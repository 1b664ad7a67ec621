import type { FieldDefinition, Job } from '@threadbase/platform/contracts';
import { ref, shallowRef, toValue, type MaybeRefOrGetter } from 'vue';
import { recordViewsApi } from '../../../shared/api/records-api.ts';
import { autoMapping, readCsvFile, type ColumnMapping, type CsvFile } from './csv-columns.ts';
import { waitForJob } from './wait-for-job.ts';

export type ImportStep = 'file' | 'map' | 'check' | 'import';

/**
 * The import wizard's state: a file read in the browser, its column mapping, then a dry run and the
 * import itself as jobs on the server. `error` is a refused request; a job's own failure is on `job`.
 */
export function useCsvImport(object: MaybeRefOrGetter<string>, fields: MaybeRefOrGetter<FieldDefinition[]>) {
  const step = ref<ImportStep>('file');
  const file = shallowRef<CsvFile | null>(null);
  const problem = ref('');
  const mapping = ref<ColumnMapping>({});
  const job = shallowRef<Job | null>(null);
  const error = shallowRef<unknown>(null);
  let run = 0;

  return { step, file, problem, mapping, job, error, choose, check, start, back, reset };

  async function choose(chosen: File): Promise<void> {
    const read = readCsvFile(chosen.name, await chosen.text());
    file.value = 'problem' in read ? null : read;
    problem.value = 'problem' in read ? read.problem : '';
    if (!('problem' in read)) mapping.value = autoMapping(read.header, toValue(fields));
  }

  /** The dry run: every row checked on the server, nothing written. */
  function check(): Promise<void> {
    step.value = 'check';
    return submit(true);
  }

  function start(): Promise<void> {
    step.value = 'import';
    return submit(false);
  }

  function back(): void {
    run++;
    job.value = null;
    error.value = null;
    step.value = step.value === 'map' ? 'file' : 'map';
  }

  function reset(): void {
    run++;
    step.value = 'file';
    file.value = null;
    problem.value = '';
    mapping.value = {};
    job.value = null;
    error.value = null;
  }

  async function submit(dryRun: boolean): Promise<void> {
    if (!file.value) return;
    const current = ++run;
    job.value = null;
    error.value = null;
    try {
      const queued = await recordViewsApi.startImport(toValue(object), { csv: file.value.text, mapping: mapping.value, dryRun });
      if (current !== run) return;
      job.value = queued;
      const done = await waitForJob(queued, (j) => current === run && (job.value = j), () => current !== run);
      if (done && current === run) job.value = done;
    } catch (caught) {
      if (current === run) error.value = caught;
    }
  }
}
