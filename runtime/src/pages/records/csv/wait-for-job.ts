import type { Job } from '@threadbase/platform/contracts';
import { jobsApi } from '../../../shared/api/records-api.ts';

const POLL_MS = 400;

/** Polls a job until it has succeeded or failed, reporting each state on the way; `stopped()` ends it early. */
export async function waitForJob(job: Job, onProgress: (job: Job) => void, stopped: () => boolean = () => false): Promise<Job | null> {
  let current = job;
  while (current.status === 'queued' || current.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (stopped()) return null;
    current = await jobsApi.get(current.id);
    onProgress(current);
  }
  return current;
}
