import { sql } from 'kysely';
// Departments, memberships and managers decide whose records a user reaches: every change re-derives it.
import { forgetAccess } from '../access/model.ts';
import { appendAudit } from '../audit/index.ts';
import type { CreateDepartment, Department, UpdateDepartment } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { isUuid, pickByIdOrName } from '../core/references.ts';
import { publishEvent } from '../events/index.ts';

export async function listDepartments(ctx: Ctx, onlyId?: string): Promise<Department[]> {
  let query = ctx.db
    .selectFrom('departments as d')
    .select((eb) => [
      'd.id',
      'd.name',
      'd.parent_id',
      'd.manager_id',
      'd.sort',
      eb
        .selectFrom('user_departments as ud')
        .innerJoin('users as u', 'u.id', 'ud.user_id')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('ud.department_id', '=', 'd.id')
        .where('u.status', '=', 'active')
        .as('member_count'),
    ])
    .orderBy('d.sort')
    .orderBy('d.name')
    .orderBy('d.id');
  if (onlyId) query = query.where('d.id', '=', onlyId);
  const rows = await query.execute();
  const totals = await subtreeHeadcounts(ctx, onlyId);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    parentId: r.parent_id,
    managerId: r.manager_id,
    sort: r.sort,
    memberCount: Number(r.member_count ?? 0),
    totalMemberCount: totals.get(r.id) ?? 0,
  }));
}

/** Distinct active people per department including every department below it (someone in two sub-departments counts once). */
async function subtreeHeadcounts(ctx: Ctx, onlyId?: string): Promise<Map<string, number>> {
  const t = (name: string) => sql.table(`${ctx.workspace.schemas.system}.${name}`);
  const roots = onlyId ? sql`where id = ${onlyId}` : sql``;
  const rows = await sql<{ root: string; n: string | number }>`
    with recursive tree(root, id) as (
      select id, id from ${t('departments')} ${roots}
      union all
      select tree.root, d.id from ${t('departments')} d join tree on d.parent_id = tree.id
    )
    select tree.root, count(distinct ud.user_id) as n
    from tree
    join ${t('user_departments')} ud on ud.department_id = tree.id
    join ${t('users')} u on u.id = ud.user_id and u.status = 'active'
    group by tree.root`.execute(ctx.db);
  return new Map(rows.rows.map((r) => [r.root, Number(r.n)]));
}

export async function getDepartment(ctx: Ctx, id: string): Promise<Department> {
  const [found] = await listDepartments(ctx, id);
  if (!found) throw new AppError('DEPARTMENT_NOT_FOUND', 404);
  return found;
}

export async function assertDepartmentsExist(ctx: Ctx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await ctx.db.selectFrom('departments').select('id').where('id', 'in', ids).execute();
  if (found.length !== new Set(ids).size) throw new AppError('DEPARTMENT_NOT_FOUND', 422, { details: { field: 'departmentIds' } });
}

async function assertManagerExists(ctx: Ctx, managerId: string | null | undefined): Promise<void> {
  if (!managerId) return;
  const found = await ctx.db.selectFrom('users').select('id').where('id', '=', managerId).executeTakeFirst();
  if (!found) throw new AppError('MANAGER_NOT_FOUND', 422, { details: { field: 'managerId' } });
}

/** A department may not move under itself or any of its descendants. */
async function assertNoCycle(ctx: Ctx, id: string, newParentId: string): Promise<void> {
  const hit = await sql<{ id: string }>`
    with recursive below(id) as (
      select ${id}::uuid
      union
      select d.id from ${sql.table(`${ctx.workspace.schemas.system}.departments`)} d join below b on d.parent_id = b.id
    )
    select id from below where id = ${newParentId}::uuid`.execute(ctx.db);
  if (hit.rows.length > 0) throw new AppError('DEPARTMENT_CYCLE', 409, { details: { field: 'parentId' } });
}

export async function createDepartment(ctx: Ctx, input: CreateDepartment): Promise<Department> {
  return inTransaction(ctx, async (tx) => {
    if (input.parentId) await assertDepartmentsExist(tx, [input.parentId]);
    await assertManagerExists(tx, input.managerId);
    const row = await tx.db
      .insertInto('departments')
      .values({ name: input.name, parent_id: input.parentId, manager_id: input.managerId, sort: input.sort, updated_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await forgetAccess(tx);
    await appendAudit(tx, { action: 'department.create', targetType: 'department', targetId: row.id, details: { name: input.name } });
    await publishEvent(tx, { aggregateType: 'department', aggregateId: row.id, type: 'department.created', payload: { id: row.id } });
    return getDepartment(tx, row.id);
  });
}

export async function updateDepartment(ctx: Ctx, id: string, patch: UpdateDepartment): Promise<Department> {
  return inTransaction(ctx, async (tx) => {
    // Locks the department tree so two concurrent moves cannot together form a cycle.
    await sql`select pg_advisory_xact_lock(hashtext(${`threadbase:departments:${tx.workspace.schemas.system}`}))`.execute(tx.db);
    const before = await getDepartment(tx, id);
    if (patch.parentId) {
      await assertDepartmentsExist(tx, [patch.parentId]);
      await assertNoCycle(tx, id, patch.parentId);
    }
    await assertManagerExists(tx, patch.managerId);
    await tx.db
      .updateTable('departments')
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.parentId !== undefined && { parent_id: patch.parentId }),
        ...(patch.managerId !== undefined && { manager_id: patch.managerId }),
        ...(patch.sort !== undefined && { sort: patch.sort }),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    const after = await getDepartment(tx, id);
    const details = { from: { name: before.name, parentId: before.parentId }, to: { name: after.name, parentId: after.parentId } };
    await forgetAccess(tx);
    await appendAudit(tx, { action: 'department.update', targetType: 'department', targetId: id, details });
    await publishEvent(tx, { aggregateType: 'department', aggregateId: id, type: 'department.updated', payload: { id } });
    return after;
  });
}

export async function deleteDepartment(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const dept = await getDepartment(tx, id);
    const child = await tx.db.selectFrom('departments').select('id').where('parent_id', '=', id).executeTakeFirst();
    const member = await tx.db.selectFrom('user_departments').select('user_id').where('department_id', '=', id).executeTakeFirst();
    if (child || member) throw new AppError('DEPARTMENT_NOT_EMPTY', 409);
    await tx.db.updateTable('users').set({ main_department_id: null }).where('main_department_id', '=', id).execute();
    await tx.db.deleteFrom('departments').where('id', '=', id).execute();
    await forgetAccess(tx);
    await appendAudit(tx, { action: 'department.delete', targetType: 'department', targetId: id, details: { name: dept.name } });
    await publishEvent(tx, { aggregateType: 'department', aggregateId: id, type: 'department.deleted', payload: { id } });
  });
}

/** Departments named in a spreadsheet (id or exact name) → their ids; a name two departments share is 'ambiguous'. */
export async function resolveDepartmentRefs(ctx: Ctx, texts: string[]): Promise<Map<string, string | 'ambiguous'>> {
  const ids = texts.filter(isUuid).map((t) => t.toLowerCase());
  const names = texts.filter((t) => !isUuid(t));
  const rows = texts.length
    ? await ctx.db
        .selectFrom('departments')
        .select(['id', 'name'])
        .where((eb) => eb.or([...(ids.length ? [eb('id', 'in', ids)] : []), ...(names.length ? [eb('name', 'in', names)] : [])]))
        .execute()
    : [];
  return pickByIdOrName(texts, rows);
}
