import type { JobQueue } from '../jobs/index.ts';
import { registerApprovalJobs } from './delegations.ts';
import { registerApprovalHooks } from './hooks.ts';

export { actOnApproval } from './actions.ts';
export { cancelApprovalsOfRun } from './hooks.ts';
export { approvalRoutes } from './routes.ts';
export { approvalStep, type ApprovalStep } from './start.ts';

/** The record lock, the cancellations (record deleted, run ended) and the delegation job. */
export function registerApprovals(jobs: JobQueue): void {
  registerApprovalHooks();
  registerApprovalJobs(jobs);
}
