import type { ObjectDefinition } from '../contracts/meta.ts';
import type { Ctx } from '../core/context.ts';
import type { RecordOut } from './record-shape.ts';

export type BeforeSave = {
  object: ObjectDefinition;
  mode: 'create' | 'update';
  /** Null on create: the record has no id until it is written. */
  id: string | null;
  /** The record as it will be written if nothing changes it (the stored one, as the user sees it, with the input over it). */
  proposed: Record<string, unknown>;
  changed: string[];
};
/** `record`: as written, as the user sees it; `stored`: every field of it. */
export type AfterSave = { object: ObjectDefinition; mode: 'create' | 'update'; id: string; record: RecordOut; stored: RecordOut; changed: string[] };
/** `stored`: the record as it was before it was deleted, every field of it. */
export type AfterDelete = { object: ObjectDefinition; id: string; stored: RecordOut };

/**
 * What runs inside a record's write transaction besides the write: admins' save scripts, flow triggers.
 * Records knows only this shape; other domains add theirs at start, so records depends on none of them.
 * `beforeSave` answers more input to write (or null), or throws to refuse the save; the others throw to
 * undo it.
 */
export type SaveHooks = {
  beforeSave?(tx: Ctx, event: BeforeSave): Promise<Record<string, unknown> | null>;
  afterSave?(tx: Ctx, event: AfterSave): Promise<void>;
  afterDelete?(tx: Ctx, event: AfterDelete): Promise<void>;
};

const hooks: SaveHooks[] = [];

export function addSaveHooks(added: SaveHooks): void {
  if (!hooks.includes(added)) hooks.push(added);
}

/** Every beforeSave in turn, each seeing what the ones before it set; answers all they set, or null. */
export async function beforeSave(tx: Ctx, event: BeforeSave): Promise<Record<string, unknown> | null> {
  const extra: Record<string, unknown> = {};
  let any = false;
  for (const h of hooks) {
    const set = await h.beforeSave?.(tx, any ? { ...event, proposed: { ...event.proposed, ...extra } } : event);
    if (set) {
      Object.assign(extra, set);
      any = true;
    }
  }
  return any ? extra : null;
}

export async function afterSave(tx: Ctx, event: AfterSave): Promise<void> {
  for (const h of hooks) await h.afterSave?.(tx, event);
}

export async function afterDelete(tx: Ctx, event: AfterDelete): Promise<void> {
  for (const h of hooks) await h.afterDelete?.(tx, event);
}
