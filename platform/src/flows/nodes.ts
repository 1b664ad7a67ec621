import { createHmac } from 'node:crypto';
import type { JsonValue } from '@threadbase/sandbox';
import type { FlowDefinition, FlowNode } from '../contracts/flow-definitions.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { isUuid } from '../core/references.ts';
import type { Selectable } from 'kysely';
import type { WorkspaceDB } from '../db/tables.ts';
import { createRecord, getRecord, updateRecord } from '../records/service.ts';
import { guardedFetch, httpAllowList, runFlowStep, secretValue } from '../scripts/index.ts';
import { postFlowMessage } from '../threads/index.ts';
import { evaluate, fillTemplate, fillValues, type Scope } from './expressions.ts';
import { StepError } from './step-error.ts';

export type RunRow = Omit<Selectable<WorkspaceDB['flow_runs']>, 'definition'> & { definition: FlowDefinition };
export type StepRow = {
  id: string;
  run_id: string;
  node_id: string;
  node_type: FlowNode['type'];
  seq: number;
  status: WorkspaceDB['flow_steps']['status'];
  attempts: number;
  due_at: Date | null;
};
export type NodeResult = { output?: unknown; waitUntil?: Date };

/** The next node after `node`: a condition's by its result, any other's by its one outgoing edge. */
export function nextNode(flow: FlowDefinition, node: FlowNode, output: unknown): string | null {
  if (node.type === 'end') return null;
  const out = flow.edges.filter((e) => e.source === node.id);
  if (node.type === 'condition') {
    const branch = (output as { result?: boolean } | null)?.result ? 'true' : 'false';
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
async function scopeOf(tx: Ctx, run: RunRow): Promise<Scope> {
  const steps = await tx.db.selectFrom('flow_steps').select(['node_id', 'output']).where('run_id', '=', run.id).where('status', '=', 'done').orderBy('seq').execute();
  let record: Record<string, unknown> | null = null;
  if (run.object && run.record_id) record = await getRecord(asSystem(tx), run.object, run.record_id).catch(() => null);
  return { record, steps: Object.fromEntries(steps.map((s) => [s.node_id, s.output])) };
}

function onRecord(run: RunRow): { object: string; id: string } {
  if (!run.object || !run.record_id) throw new StepError('FLOW_NO_RECORD', 'This step needs the run to be about a record.', { retry: false });
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
      const target = onRecord(run);
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
      const target = onRecord(run);
      const body = await fillTemplate(tx, node.data.text, scope);
      await refusalsFinal(() => postFlowMessage(tx, target.object, target.id, run.flow, body, []));
      return { output: { posted: true } };
    }
    case 'notify': {
      const target = onRecord(run);
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
    case 'wait': {
      if (step.status === 'waiting') return { output: { waited: true } };
      const until = node.data.seconds !== undefined ? new Date(Date.now() + node.data.seconds * 1000) : new Date(String((await evaluate(tx, [node.data.until!], scope))[0]));
      if (Number.isNaN(until.getTime())) throw new StepError('FLOW_BAD_DATE', 'The wait expression did not give a date.', { retry: false });
      return until.getTime() <= Date.now() ? { output: { waited: false } } : { waitUntil: until };
    }
  }
}
