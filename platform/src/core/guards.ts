import { AppError } from './app-error.ts';
import type { Actor, Ctx } from './context.ts';

export type UserActor = Extract<Actor, { kind: 'user' }>;

export function requireUser(ctx: Ctx): UserActor {
  if (ctx.actor.kind !== 'user') throw new AppError('UNAUTHENTICATED', 401);
  return ctx.actor;
}

/** Workspace administrators only: metadata, the directory, roles and sharing rules are theirs to change. */
export function requireAdmin(ctx: Ctx): UserActor {
  const actor = requireUser(ctx);
  if (!actor.isAdmin) throw new AppError('FORBIDDEN', 403);
  return actor;
}

export function isSystemOrAdmin(ctx: Ctx): boolean {
  return ctx.actor.kind === 'system' || (ctx.actor.kind === 'user' && ctx.actor.isAdmin);
}
