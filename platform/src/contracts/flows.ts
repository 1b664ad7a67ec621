import { z } from 'zod';
import { FlowTrigger } from './flow-definitions.ts';
import { page, PageQuery } from './common.ts';

const FlowName = z.string().regex(/^[a-z][a-z0-9_]{0,49}$/);
export const FlowParam = z.object({ id: FlowName.meta({ description: "The flow's API name." }) });

export const FlowRunStatus = z.enum(['running', 'waiting', 'needs_attention', 'done', 'cancelled']).meta({ id: 'FlowRunStatus' });

export const FlowSummary = z
  .object({ name: z.string(), label: z.object({ 'zh-CN': z.string(), en: z.string() }), active: z.boolean(), trigger: FlowTrigger, openRuns: z.number().int() })
  .meta({ id: 'FlowSummary' });
export const FlowList = z.object({ items: z.array(FlowSummary), metaVersion: z.number().int() }).meta({ id: 'FlowList' });

const StepError = z.object({ code: z.string(), message: z.string() });
export const FlowRun = z
  .object({
    id: z.string(),
    flow: z.string(),
    metaVersion: z.number().int().meta({ description: 'The published version whose definition the run keeps.' }),
    status: FlowRunStatus,
    object: z.string().nullable(),
    recordId: z.string().nullable(),
    startedBy: z.string().nullable(),
    trigger: z.unknown(),
    error: z.object({ code: z.string(), message: z.string(), node: z.string() }).nullable(),
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'FlowRun' });
export type FlowRun = z.infer<typeof FlowRun>;

export const FlowStep = z
  .object({
    id: z.string(),
    nodeId: z.string(),
    nodeType: z.string(),
    seq: z.number().int(),
    status: z.enum(['queued', 'running', 'waiting', 'done', 'failed', 'cancelled']),
    attempts: z.number().int(),
    output: z.unknown(),
    error: StepError.nullable(),
    dueAt: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'FlowStep' });
export type FlowStep = z.infer<typeof FlowStep>;

export const FlowRunDetail = FlowRun.extend({ steps: z.array(FlowStep).meta({ description: 'The timeline: every step taken, in order.' }) }).meta({ id: 'FlowRunDetail' });
export type FlowRunDetail = z.infer<typeof FlowRunDetail>;
export const FlowRunList = page(FlowRun).meta({ id: 'FlowRunList' });
export const FlowRunsQuery = PageQuery.extend({ status: FlowRunStatus.optional() });
export const StartFlowRequest = z
  .object({ recordId: z.uuid().optional().meta({ description: 'The record to run on, for a flow started on records of an object.' }) })
  .strict()
  .meta({ id: 'StartFlowRequest' });
