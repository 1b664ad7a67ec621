import { createHmac } from 'node:crypto';
import type { JsonValue } from '@threadbase/sandbox';
import type { FlowDefinition, FlowNode } from '../contracts/flow-definitions.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { isUuid } from '../core/references.ts';
import type { Selectable } from 'kysely';
import type { WorkspaceDB } from '../db/tables.ts';
import { listRecords } from '../records/list-records.ts';
import { createRecord, getRecord, updateRecord } from '../records/service.ts';
import { guardedFetch, httpAllowList, runFlowStep, secretValue } from '../scripts/index.ts';
import { postFlowMessage } from '../threads/index.ts';
import { approvalStep } from '../approvals/index.ts';
import { evaluate, fillTemplate, fillValues, type Scope } from './expressions.ts';
import { fillCard } from './flow-card.ts';
import { messagedSince } from './wait-events.ts';
import { StepError } from './step-error.ts';

export type RunRow = Omit<Selectable<WorkspaceDB['flow_runs']>, 'definition'> & { definition: FlowDefinition };
export type StepRow = {
  id: string;
  created_at: Date;
  run_id: string;
  node_id: string;
  node_type: FlowNode['type'];
  seq: number;
  status: WorkspaceDB['flow_steps']['status'];
  attempts: number;
  due_at: Date | null;
};
/** What a node did: its output, or that its step waits until a time, or for an event (see `resumeStep`). */
export type NodeResult = { output?: unknown; waitUntil?: Date; awaitEvent?: true };

/** The next node after `node`: a condition's by its result, any other's by its one outgoing edge. */
export function nextNode(flow: FlowDefinition, node: FlowNode, output: unknown): string | null {
  if (node.type === 'end') return null;
  const out = flow.edges.filter((e) => e.source === node.id);
  if (node.type === 'condition') {
    const branch = (output as { result?: boolean } | null)?.result ? 'true' : 'false';
    return out.find((e) => e.sourceHandle === branch)?.target ?? null;
  }
  if (node.type === 'loop') {
    const branch = (output as LoopOutput).done ? 'done' : 'each';
    return out.find((e) => e.sourceHandle === branch)?.target ?? null;
  }
  return out[0]?.target ?? null;
}

/** Steps act as the system: a flow is the administrators' automation, and every write it makes is its run's. */
const asSystem = (tx: Ctx): Ctx => ({ ...tx, actor: { kind: 'system' }, scriptDepth: tx.scriptDepth ?? 0 });

/** Refusals of the platform (a required field missing, a record gone) are not fixed by trying again. */
async function refusalsFinal<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AppError) throw new StepError(error.code, `${error.code}: ${JSON.stringify({ ...error.params, ...error.details }).slice(0, 500)}`, { retry: error.status >= 500 });
    throw error;
  }
}

/** What expressions see: the run's record as it is now (null once deleted) and earlier steps' outputs. */
export async function scopeOf(tx: Ctx, run: RunRow): Promise<Scope> {
  const steps = await tx.db.selectFrom('flow_steps').select(['node_id', 'output']).where('run_id', '=', run.id).where('status', '=', 'done').orderBy('seq').execute();
  let record: Record<string, unknown> | null = null;
  if (run.object && run.record_id) record = await getRecord(asSystem(tx), run.object, run.record_id).catch(() => null);
  return { record, steps: Object.fromEntries(steps.map((s) => [s.node_id, s.output])) };
}

/** The run's record, for a step that acts on it: a record deleted mid-run parks the run, not retried. */
function onRecord(run: RunRow, scope: Scope): { object: string; id: string } {
  if (!run.object || !run.record_id) throw new StepError('FLOW_NO_RECORD', 'This step needs the run to be about a record.', { retry: false });
  if (!scope.record) throw new StepError('FLOW_RECORD_GONE', 'The record of this run was deleted or can no longer be read.', { retry: false });
  return { object: run.object, id: run.record_id };
}

async function httpCall(tx: Ctx, node: Extract<FlowNode, { type: 'http_call' }>, scope: Scope, step: StepRow): Promise<unknown> {
  const url = await fillTemplate(tx, node.data.url, scope);
  const body = node.data.body ? JSON.stringify(await fillValues(tx, node.data.body, scope)) : undefined;
  const headers: Record<string, string> = { 'idempotency-key': step.id };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (node.data.secret) {
    const secret = await secretValue(tx, node.data.secret);
    if (!secret) throw new StepError('FLOW_SECRET_MISSING', `There is no secret named ${node.data.secret} to sign with.`, { retry: false });
    headers['x-threadbase-signature'] = `sha256=${createHmac('sha256', secret).update(body ?? '').digest('hex')}`;
  }
  const policy = { allowHosts: await httpAllowList(tx), allowPrivateAddresses: tx.platform.config.scriptHttpPrivate, timeoutMs: 10_000, maxResponseBytes: 1024 * 1024, maxRequestBytes: 1024 * 1024 };
  const response = await guardedFetch(url, { method: node.data.method, headers, ...(body !== undefined && { body }) }, policy).catch((error: unknown) => {
    const code = (error as { code?: string }).code ?? 'FLOW_HTTP_FAILED';
    throw new StepError(code, (error as Error).message, { retry: code === 'SCRIPT_HTTP_FAILED' || code === 'SCRIPT_HTTP_TIMEOUT' });
  });
  // A server error may pass; a refusal of the request will not.
  if (response.status >= 500) throw new StepError('FLOW_HTTP_STATUS', `The endpoint answered ${response.status}.`);
  if (response.status >= 400) throw new StepError('FLOW_HTTP_STATUS', `The endpoint answered ${response.status}.`, { retry: false });
  let parsed: unknown = response.body;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    // Not JSON: the text is the output.
  }
  return { status: response.status, body: parsed };
}

type LoopOutput = { done: boolean; index: number; count: number; item: Record<string, unknown> | null; ids?: string[]; first?: string };

/**
 * One pass through a loop node: the first pass (or the first after a finished loop) reads the ids of the
 * related records, oldest first, up to the limit, and keeps them on its step; each later pass, coming
 * back from the "each" branch, takes the next one. `item` is the record as it is when its pass starts.
 */
async function loopPass(tx: Ctx, run: RunRow, step: StepRow, node: Extract<FlowNode, { type: 'loop' }>): Promise<LoopOutput> {
  const target = onRecord(run, await scopeOf(tx, run));
  const previous = await tx.db.selectFrom('flow_steps').select(['id', 'output']).where('run_id', '=', run.id).where('node_id', '=', node.id).where('status', '=', 'done').orderBy('seq', 'desc').executeTakeFirst();
  const last = previous?.output as LoopOutput | undefined;
  let ids: string[];
  let first: string;
  let index: number;
  if (!last || last.done) {
    const filter = JSON.stringify({ field: node.data.via, op: 'eq', value: target.id });
    const { items } = await refusalsFinal(() => listRecords(asSystem(tx), node.data.object, { filter, sort: 'created_at', limit: node.data.limit }));
    ids = items.map((r) => r.id as string);
    first = step.id;
    index = 0;
  } else {
    first = last.ids ? previous!.id : last.first!;
    const start = last.ids ? previous! : await tx.db.selectFrom('flow_steps').select(['id', 'output']).where('id', '=', first).executeTakeFirstOrThrow();
    ids = (start.output as LoopOutput).ids!;
    index = last.index + 1;
  }
  const count = ids.length;
  const done = index >= count;
  const item = done ? null : await getRecord(asSystem(tx), node.data.object, ids[index]!).catch(() => null);
  return { done, index, count, item, ...(first === step.id ? { ids } : { first }) };
}

/** Does what `node` says, in `tx` (for every node but http_call, the step's own transaction). */
export async function executeNode(tx: Ctx, run: RunRow, step: StepRow, node: FlowNode): Promise<NodeResult> {
  const scope = await scopeOf(tx, run);
  switch (node.type) {
    case 'start':
      return { output: run.trigger };
    case 'end':
      return { output: null };
    case 'condition': {
      const [result] = await evaluate(tx, [node.data.expression], scope);
      return { output: { result: result === true } };
    }
    case 'update_record': {
      const target = onRecord(run, scope);
      const values = await fillValues(tx, node.data.values, scope);
      const record = await refusalsFinal(() => updateRecord(asSystem(tx), target.object, target.id, values));
      return { output: { id: record.id, version: record.version } };
    }
    case 'create_record': {
      const values = await fillValues(tx, node.data.values, scope);
      const record = await refusalsFinal(() => createRecord(asSystem(tx), node.data.object, values));
      return { output: { id: record.id } };
    }
    case 'post_message': {
      const target = onRecord(run, scope);
      const message = node.data.card ? await fillCard(tx, node.data.text, node.data.card, scope) : { body: await fillTemplate(tx, node.data.text, scope), card: undefined };
      await refusalsFinal(() => postFlowMessage(tx, target.object, target.id, run.flow, message.body, [], message.card));
      return { output: { posted: true } };
    }
    case 'notify': {
      const target = onRecord(run, scope);
      const [users] = await evaluate(tx, [node.data.users], scope);
      const ids = (Array.isArray(users) ? users : [users]).filter((u): u is string => typeof u === 'string' && isUuid(u));
      const body = await fillTemplate(tx, node.data.text, scope);
      if (ids.length) await refusalsFinal(() => postFlowMessage(tx, target.object, target.id, run.flow, body, ids));
      return { output: { notified: ids } };
    }
    case 'run_script': {
      const input = (await fillValues(tx, node.data.input, scope)) as JsonValue;
      const record = run.object && run.record_id && scope.record ? { object: run.object, id: run.record_id, values: scope.record } : undefined;
      const outcome = await refusalsFinal(() => runFlowStep(tx, node.data.script, input, record));
      if (!outcome.ok) throw new StepError(outcome.error.code, outcome.error.message, { retry: !outcome.error.code.startsWith('SCRIPT_LIMIT') });
      return { output: outcome.value };
    }
    case 'http_call':
      return { output: await httpCall(tx, node, scope, step) };
    case 'loop':
      return { output: await loopPass(tx, run, step, node) };
    case 'approval': {
      const target = onRecord(run, scope);
      const on = { id: run.id, flow: run.flow, label: run.definition.label, object: target.object, recordId: target.id, startedBy: run.started_by };
      return refusalsFinal(() => approvalStep(tx, { run: on, stepId: step.id, node, scope }));
    }
    case 'wait': {
      // Back when due: a condition's or an event's wait that nothing ended has timed out, unless the
      // message it waited for came and its wake-up was lost (the process died in between).
      if (step.status === 'waiting') {
        if (node.data.event === 'message') return { output: { waited: true, timedOut: !(await messagedSince(tx, run, step)) } };
        return { output: node.data.condition === undefined ? { waited: true } : { waited: true, timedOut: true } };
      }
      if (node.data.event === 'message') {
        onRecord(run, scope);
        return node.data.timeoutSeconds ? { waitUntil: new Date(Date.now() + node.data.timeoutSeconds * 1000) } : { awaitEvent: true };
      }
      if (node.data.condition !== undefined) {
        const [holds] = await evaluate(tx, [node.data.condition], scope);
        if (holds === true) return { output: { waited: false, timedOut: false } };
        return node.data.timeoutSeconds ? { waitUntil: new Date(Date.now() + node.data.timeoutSeconds * 1000) } : { awaitEvent: true };
      }
      const until = node.data.seconds !== undefined ? new Date(Date.now() + node.data.seconds * 1000) : new Date(String((await evaluate(tx, [node.data.until!], scope))[0]));
      if (Number.isNaN(until.getTime())) throw new StepError('FLOW_BAD_DATE', 'The wait expression did not give a date.', { retry: false });
      return until.getTime() <= Date.now() ? { output: { waited: false } } : { waitUntil: until };
    }
  }
}
