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
/** `record`: as written, as the user sees it. */
export type AfterSave = { object: ObjectDefinition; mode: 'create' | 'update'; id: string; record: RecordOut; changed: string[] };

/**
 * What runs inside a record's write transaction besides the write: admins' save scripts. Records knows
 * only this shape; `scripts/` fills it in at start, so records does not depend on scripts.
 * `beforeSave` answers more input to write (or null), or throws to refuse the save; `afterSave` throws
 * to undo it.
 */
export type SaveHooks = {
  beforeSave(tx: Ctx, event: BeforeSave): Promise<Record<string, unknown> | null>;
  afterSave(tx: Ctx, event: AfterSave): Promise<void>;
};

let hooks: SaveHooks | null = null;

export function setSaveHooks(next: SaveHooks | null): void {
  hooks = next;
}

export const saveHooks = (): SaveHooks | null => hooks;
