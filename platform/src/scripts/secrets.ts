import { sql } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import { ScriptSecretName, type ScriptSecret, type ScriptSecretList } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { requireAdmin } from '../core/guards.ts';

/**
 * Secrets scripts read with `env.get` (API keys of other systems). Admins set and remove them; no
 * endpoint and no audit entry ever carries a value, and the runner redacts them from all a run shows.
 */

function checkName(name: string): void {
  if (!ScriptSecretName.safeParse(name).success) {
    throw new AppError('FAILED_VALIDATION', 400, { params: { fields: 'name' }, details: { issues: [{ path: 'name', message: 'not a secret name', code: 'invalid_format' }] } });
  }
}

const present = (row: { name: string; updated_at: Date; updated_by: string | null }): ScriptSecret => ({
  name: row.name,
  updatedAt: new Date(row.updated_at).toISOString(),
  updatedBy: row.updated_by,
});

/** The workspace's secrets by name, without their values. */
export async function listSecrets(ctx: Ctx): Promise<ScriptSecretList> {
  requireAdmin(ctx);
  const rows = await ctx.db.selectFrom('script_secrets').select(['name', 'updated_at', 'updated_by']).orderBy('name').execute();
  return { items: rows.map(present) };
}

/** Sets a secret, creating it or replacing its value; audited by name only. */
export async function setSecret(ctx: Ctx, name: string, value: string): Promise<ScriptSecret> {
  const actor = requireAdmin(ctx);
  checkName(name);
  return inTransaction(ctx, async (tx) => {
    const row = await tx.db
      .insertInto('script_secrets')
      .values({ name, value, updated_at: new Date(), updated_by: actor.userId })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: new Date(), updated_by: actor.userId }))
      // xmax is 0 on a row this statement inserted, the updating transaction's id on one it replaced.
      .returning(['name', 'updated_at', 'updated_by', sql<boolean>`xmax = 0`.as('created')])
      .executeTakeFirstOrThrow();
    await appendAudit(tx, { action: row.created ? 'scripts.secret.create' : 'scripts.secret.update', targetType: 'script_secret', targetId: name });
    return present(row);
  });
}

/** Removes a secret: 404 SCRIPT_SECRET_NOT_FOUND when there is none of that name. */
export async function deleteSecret(ctx: Ctx, name: string): Promise<void> {
  requireAdmin(ctx);
  checkName(name);
  await inTransaction(ctx, async (tx) => {
    const gone = await tx.db.deleteFrom('script_secrets').where('name', '=', name).returning('name').executeTakeFirst();
    if (!gone) throw new AppError('SCRIPT_SECRET_NOT_FOUND', 404, { params: { name } });
    await appendAudit(tx, { action: 'scripts.secret.delete', targetType: 'script_secret', targetId: name });
  });
}

/** A secret's value for `env.get` in a run, or null when the workspace has none of that name. */
export async function secretValue(ctx: Ctx, name: string): Promise<string | null> {
  if (!ScriptSecretName.safeParse(name).success) return null;
  const row = await ctx.db.selectFrom('script_secrets').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value ?? null;
}

/** Every secret value of the workspace, longest first, for the runner to redact from a run's logs and errors. */
export async function allSecretValues(ctx: Ctx): Promise<string[]> {
  const rows = await ctx.db.selectFrom('script_secrets').select('value').execute();
  return rows.map((r) => r.value).sort((a, b) => b.length - a.length);
}
