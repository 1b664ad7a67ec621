export { addRunListener, registerFlowJobs, resumeStep, startRun, type RunListener } from './engine.ts';
export { registerFlowTriggers } from './triggers.ts';
export { FlowTimers, registerFlowTimers } from './timers.ts';
export { resumeTimerPlans } from './timers-plan.ts';
export { flowRoutes } from './routes.ts';
export { inboundFlowRoutes } from './inbound-routes.ts';
export { evaluate, fillTemplate, type Scope } from './expressions.ts';
