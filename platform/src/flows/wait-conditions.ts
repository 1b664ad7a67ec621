import type { FlowDefinition, FlowNode } from '../contracts/flow-definitions.ts';
import type { Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import { resumeStep } from './engine.ts';
import { evaluate } from './expressions.ts';
import { scopeOf, type RunRow } from './nodes.ts';

/** The waiting steps of the runs on a record, each with its run and its node (a wait, an approval…). */
export async function waitingOn(tx: Ctx, recordId: string): Promise<{ run: RunRow; stepId: string; node: FlowNode | undefined }[]> {
  const rows = await tx.db
    .selectFrom('flow_runs as r')
    .innerJoin('flow_steps as s', 's.run_id', 'r.id')
    .selectAll('r')
    .select(['s.id as step_id', 's.node_id'])
    .where('r.record_id', '=', recordId)
    .where('r.status', '=', 'waiting')
    .where('s.status', '=', 'waiting')
    .execute();
  return rows.map((row) => {
    const run = row as unknown as RunRow;
    return { run, stepId: row.step_id, node: (run.definition as FlowDefinition).nodes.find((n) => n.id === row.node_id) };
  });
}

/**
 * A `wait` with a condition ends when a change of its run's record makes the condition hold: checked in
 * the change's own transaction, so the run moves on if and only if the change commits. Only runs waiting
 * on this record are read (an index on waiting runs by record).
 */
export async function recheckWaits(tx: Ctx, recordId: string): Promise<void> {
  for (const { run, stepId, node } of await waitingOn(tx, recordId)) {
    if (node?.type !== 'wait' || node.data.condition === undefined) continue;
    try {
      const [holds] = await evaluate(tx, [node.data.condition], await scopeOf(tx, run));
      if (holds === true) await resumeStep(tx, stepId, { waited: true, timedOut: false });
    } catch (error) {
      // A condition that fails to evaluate keeps waiting (until its timeout); it never refuses the save.
      tx.platform.log.warn('flow wait condition failed', { run: run.id, node: node.id, ...errorFields(error) });
    }
  }
}
