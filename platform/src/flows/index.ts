export { registerFlowJobs, startRun } from './engine.ts';
export { registerFlowTriggers } from './triggers.ts';
export { flowRoutes } from './routes.ts';
