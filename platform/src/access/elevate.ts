import { appendAudit } from '../audit/index.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { getActorProfile } from '../org/index.ts';

/**
 * Flows, scripts and jobs act as a named user and go through every check she would: this context is
 * hers. A disabled or departed user can no longer act.
 */
export async function asUser(ctx: Ctx, userId: string): Promise<Ctx> {
  const profile = await getActorProfile(ctx, userId);
  if (!profile || profile.status !== 'active') throw new AppError('USER_NOT_FOUND', 404);
  return { ...ctx, actor: { kind: 'user', userId: profile.id, login: profile.login, isAdmin: profile.isAdmin }, locale: profile.locale };
}

/**
 * Acting as the system bypasses every access check, so it is never implicit: the caller names why, and
 * the elevation is written to the audit log (with whoever was acting before) before it takes effect.
 */
export async function asSystem(ctx: Ctx, reason: string): Promise<Ctx> {
  if (!reason.trim()) throw new Error('an elevation to the system needs a reason');
  await inTransaction(ctx, (tx) => appendAudit(tx, { action: 'access.elevate', targetType: 'actor', targetId: actorId(ctx) ?? undefined, details: { reason, from: ctx.actor.kind === 'user' ? ctx.actor.login : ctx.actor.kind } }));
  return { ...ctx, actor: { kind: 'system' } };
}
