import type { Ctx } from '../core/context.ts';
import { addRunListener, type RunListener } from '../flows/index.ts';
import { addSaveHooks, type AfterDelete, type AfterSave } from '../records/save-hooks.ts';
import { emitEvent } from './emit.ts';

/**
 * Record events carry the record as it was written, with every field: subscriptions are set up by
 * administrators, who may read every field, and the metadata has no notion of a field kept secret from
 * them. Taken here, in the write's transaction, the record is the one this change made, not whatever a
 * later change left by the time the delivery goes out.
 */
const saveHooks = {
  afterSave: (tx: Ctx, e: AfterSave) =>
    emitEvent(tx, e.mode === 'create' ? 'record.created' : 'record.updated', { object: e.object.name, id: e.id, record: e.stored, ...(e.mode === 'update' && { changed: e.changed }) }, { object: e.object.name }),
  afterDelete: (tx: Ctx, e: AfterDelete) => emitEvent(tx, 'record.deleted', { object: e.object.name, id: e.id, record: e.stored }, { object: e.object.name }),
};

const onRun: RunListener = (tx, run) =>
  emitEvent(
    tx,
    run.status === 'done' ? 'flow.run.done' : 'flow.run.needs_attention',
    { run: { id: run.id, flow: run.flow, status: run.status, object: run.object, recordId: run.recordId, error: run.error ?? null } },
    { flow: run.flow },
  );

// Flows keep every listener they are given; a process that starts several platforms (tests) must add it once.
let listening = false;

/** Subscribes webhooks to record writes and flow run outcomes. */
export function registerEventSources(): void {
  addSaveHooks(saveHooks);
  if (listening) return;
  addRunListener(onRun);
  listening = true;
}
