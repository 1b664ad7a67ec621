import type { FlowDefinition } from '../contracts/flow-definitions.ts';
import { actorId, type Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import { publishedObjects } from '../meta/index.ts';
import type { RecordOut } from '../records/record-shape.ts';
import { addSaveHooks, type AfterDelete, type AfterSave } from '../records/save-hooks.ts';
import { startRun } from './engine.ts';
import { evaluate } from './expressions.ts';
import { recheckWaits } from './wait-conditions.ts';
import { wakeOnMessages } from './wait-events.ts';
import { onMessagesSent } from '../threads/index.ts';

type RecordEvent = 'created' | 'updated' | 'deleted';

/** Flows whose steps' writes start flows whose steps' writes…: past this many, a chain is a loop and stops. */
export const MAX_FLOW_DEPTH = 5;

/** An expression that fails does not start the flow, and never refuses the person's save. */
async function holds(tx: Ctx, flow: FlowDefinition, record: RecordOut): Promise<boolean> {
  const condition = flow.trigger.type === 'record' ? flow.trigger.condition : undefined;
  if (!condition) return true;
  try {
    const [result] = await evaluate(tx, [condition], { record, steps: {} });
    return result === true;
  } catch (error) {
    tx.platform.log.warn('flow trigger condition failed', { flow: flow.name, ...errorFields(error) });
    return false;
  }
}

/**
 * Starts the runs a record change triggers, in the change's own transaction: the change and its runs
 * commit together or not at all. The run's start step answers the trigger (with the record as it was
 * deleted, for a delete), which later expressions read as `steps.<start node>`.
 */
async function trigger(tx: Ctx, object: string, id: string, event: RecordEvent, record: RecordOut, changed: readonly string[]): Promise<void> {
  const { flows, version } = await publishedObjects(tx);
  const depth = tx.flowDepth ?? 0;
  for (const flow of flows) {
    const t = flow.trigger;
    if (!flow.active || t.type !== 'record' || t.object !== object || !t.events.includes(event)) continue;
    if (event === 'updated' && t.fields.length && !t.fields.some((f) => changed.includes(f))) continue;
    if (!(await holds(tx, flow, record))) continue;
    if (depth >= MAX_FLOW_DEPTH) {
      tx.platform.log.warn('flow not started: flows started by flows went too deep', { flow: flow.name, depth });
      continue;
    }
    const triggerInfo = { kind: 'record', event, changed, depth, ...(event === 'deleted' && { record }) };
    // A deleted record has no thread or fields left to act on: its run knows it only from the trigger.
    await startRun(tx, flow, version, { trigger: triggerInfo, object, recordId: event === 'deleted' ? null : id, startedBy: actorId(tx) });
  }
}

const hooks = {
  afterSave: async (tx: Ctx, e: AfterSave) => {
    if (e.mode === 'update') await recheckWaits(tx, e.id);
    await trigger(tx, e.object.name, e.id, e.mode === 'create' ? 'created' : 'updated', e.stored, e.changed);
  },
  afterDelete: (tx: Ctx, e: AfterDelete) => trigger(tx, e.object.name, e.id, 'deleted', e.stored, []),
};

export function registerFlowTriggers(): void {
  addSaveHooks(hooks);
  onMessagesSent(wakeOnMessages);
}
