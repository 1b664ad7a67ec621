import type { Kysely } from 'kysely';
import type { Locale } from '../contracts/index.ts';
import type { WorkspaceSchemas } from '../db/schema-names.ts';
import type { WorkspaceDB } from '../db/tables.ts';
import type { Platform } from './platform.ts';

export type Workspace = { id: string; slug: string; name: string; isDefault: boolean; hosts: string[]; schemas: WorkspaceSchemas };

export type Actor =
  | { kind: 'user'; userId: string; login: string; isAdmin: boolean }
  | { kind: 'system' }
  | { kind: 'anonymous' };

/**
 * What every service call receives explicitly: the database bound to the workspace's schema (a
 * transaction's when inside one), who acts, and from where. `afterCommit` collects wake-ups that must
 * only fire once the transaction is durable.
 */
export type Ctx = {
  platform: Platform;
  workspace: Workspace;
  db: Kysely<WorkspaceDB>;
  actor: Actor;
  ip: string | null;
  locale: Locale;
  afterCommit: (() => void)[] | null;
  /** How many save scripts deep this write is (a script's write runs the save scripts of what it writes). */
  scriptDepth?: number;
  /** How many flow runs led to this write (a flow's step wrote a record whose change started a flow…). */
  flowDepth?: number;
};

export function systemCtx(platform: Platform, workspace: Workspace): Ctx {
  return {
    platform,
    workspace,
    db: platform.db.kysely.withSchema(workspace.schemas.system) as Kysely<WorkspaceDB>,
    actor: { kind: 'system' },
    ip: null,
    locale: 'en',
    afterCommit: null,
  };
}

/** Runs `fn` in a transaction (or in the caller's, when already inside one). */
export async function inTransaction<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.afterCommit) return fn(ctx);
  const afterCommit: (() => void)[] = [];
  const result = await ctx.platform.db.kysely.transaction().execute((trx) =>
    fn({ ...ctx, db: trx.withSchema(ctx.workspace.schemas.system) as unknown as Kysely<WorkspaceDB>, afterCommit }),
  );
  for (const hook of afterCommit) hook();
  return result;
}

/**
 * Runs `fn`, which makes exactly one statement, without BEGIN and COMMIT: a statement is atomic by
 * itself, and the two would triple the round trips of the hottest write (sending a message). Its
 * `afterCommit` hooks run once the statement has returned. Inside a transaction, it joins it.
 */
export async function inOneStatement<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.afterCommit) return fn(ctx);
  const afterCommit: (() => void)[] = [];
  const result = await fn({ ...ctx, afterCommit });
  for (const hook of afterCommit) hook();
  return result;
}

export function actorId(ctx: Ctx): string | null {
  return ctx.actor.kind === 'user' ? ctx.actor.userId : null;
}
