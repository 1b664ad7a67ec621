import type { Grantee } from '../contracts/access.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';

type GranteeColumns = { user_id: string | null; department_id: string | null; role_id: string | null };

/** Shares and sharing rules store their grantee in three columns, exactly one of them set. */
export const grantee = (row: GranteeColumns): Grantee =>
  row.user_id ? { kind: 'user', id: row.user_id } : row.department_id ? { kind: 'department', id: row.department_id } : { kind: 'role', id: row.role_id! };

/** The others are cleared when the grantee changes kind. */
export const granteeColumns = (g: Grantee): GranteeColumns => ({
  user_id: g.kind === 'user' ? g.id : null,
  department_id: g.kind === 'department' ? g.id : null,
  role_id: g.kind === 'role' ? g.id : null,
});

export async function assertGrantee(ctx: Ctx, g: Grantee): Promise<void> {
  const table = g.kind === 'user' ? 'users' : g.kind === 'department' ? 'departments' : 'roles';
  const found = await ctx.db.selectFrom(table).select('id').where('id', '=', g.id).executeTakeFirst();
  if (!found) throw new AppError('GRANTEE_NOT_FOUND', 422, { details: { field: 'grantee', kind: g.kind, id: g.id } });
}
