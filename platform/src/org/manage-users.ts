import { endUserSessions, forgetCredentials, setPassword } from '../auth/index.ts';
import type { CreateUser, UpdateUser, User } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { createUser, updateUser } from './users.ts';

/** An admin creates a person in the directory, with a password when one is given. */
export async function adminCreateUser(ctx: Ctx, input: CreateUser): Promise<User> {
  const { password, ...fields } = input;
  return inTransaction(ctx, async (tx) => {
    const user = await createUser(tx, fields);
    if (password) await setPassword(tx, user.id, password);
    return user;
  });
}

/**
 * An admin edits a person. Disabling (or marking departed) ends every session at once; that and a
 * change of admin rights or language make every process forget the user's cached credentials, so
 * API tokens are checked against the new state on their next request.
 */
export async function adminUpdateUser(ctx: Ctx, id: string, input: UpdateUser): Promise<User> {
  const { password, ...patch } = input;
  const self = ctx.actor.kind === 'user' && ctx.actor.userId === id;
  if (self && ((patch.status && patch.status !== 'active') || patch.isAdmin === false)) throw new AppError('CANNOT_DISABLE_SELF', 409);
  return inTransaction(ctx, async (tx) => {
    const { user, changed } = await updateUser(tx, id, patch);
    if (user.status !== 'active') await endUserSessions(tx, id);
    else if (changed.some((k) => k === 'isAdmin' || k === 'locale')) await forgetCredentials(tx, id);
    if (password) await setPassword(tx, id, password);
    return user;
  });
}
