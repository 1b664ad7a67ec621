export { JobQueue, jobsSchema, type JobMessage } from './job-queue.ts';
export { createJob, getJob, listMyJobs, jobFile, finishJob, jobHandler, Progress, type RunningJob, type JobRunner } from './service.ts';
