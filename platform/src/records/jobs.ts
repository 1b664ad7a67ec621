import { jobHandler, type JobQueue } from '../jobs/index.ts';
import { runExport } from './export-records.ts';
import { runImport } from './import-records.ts';

/** The background work of the records domain: CSV imports and exports. */
export function registerRecordJobs(queue: JobQueue): void {
  queue.register('records.import', jobHandler(runImport));
  queue.register('records.export', jobHandler(runExport));
}
