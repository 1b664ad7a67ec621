import type { Selectable } from 'kysely';
// Departments, memberships and managers decide whose records a user reaches: every change re-derives it.
import { forgetAccess } from '../access/model.ts';
import { appendAudit } from '../audit/index.ts';
import type { CreateUser, UpdateUser, User, UserListQuery } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { isUuid } from '../core/references.ts';
import { decodeCursor, encodeCursor } from '../core/cursor.ts';
import type { WorkspaceDB } from '../db/tables.ts';
import { publishEvent } from '../events/index.ts';
import { assertDepartmentsExist } from './departments.ts';
import { likePattern, searchText } from './search-text.ts';

type UserRow = Selectable<WorkspaceDB['users']>;

function toUser(row: UserRow, departmentIds: string[]): User {
  return {
    id: row.id,
    login: row.login,
    displayName: row.display_name,
    email: row.email,
    phone: row.phone,
    avatarUrl: row.avatar_url,
    locale: row.locale,
    status: row.status,
    isAdmin: row.is_admin,
    jobTitle: row.job_title,
    mainDepartmentId: row.main_department_id,
    departmentIds,
    managerId: row.manager_id,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

async function withDepartments(ctx: Ctx, rows: UserRow[]): Promise<User[]> {
  if (rows.length === 0) return [];
  const links = await ctx.db
    .selectFrom('user_departments')
    .select(['user_id', 'department_id'])
    .where(
      'user_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((row) => {
    const others = links.filter((l) => l.user_id === row.id && l.department_id !== row.main_department_id).map((l) => l.department_id);
    return toUser(row, row.main_department_id ? [row.main_department_id, ...others.sort()] : others.sort());
  });
}

export async function getUser(ctx: Ctx, id: string): Promise<User> {
  const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('USER_NOT_FOUND', 404);
  const [user] = await withDepartments(ctx, [row]);
  return user!;
}

/** What authenticating a request needs of its user, in one indexed read. */
export async function getActorProfile(ctx: Ctx, id: string) {
  const row = await ctx.db.selectFrom('users').select(['id', 'login', 'is_admin', 'locale', 'status', 'main_department_id']).where('id', '=', id).executeTakeFirst();
  return row ? { id: row.id, login: row.login, isAdmin: row.is_admin, locale: row.locale, status: row.status, mainDepartmentId: row.main_department_id } : null;
}

/** For sign-in: a login name or an e-mail address, case-insensitively. */
export async function findUserIdByLogin(ctx: Ctx, login: string): Promise<string | null> {
  const needle = login.trim().toLowerCase();
  const row = await ctx.db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb.or([eb(eb.fn('lower', ['login']), '=', needle), eb(eb.fn('lower', ['email']), '=', needle)]))
    .orderBy('created_at')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** `findUserIdByLogin` for many names in one query: lower-cased name → id, a login match winning over an e-mail match. */
export async function findUserIdsByLogins(ctx: Ctx, logins: string[]): Promise<Map<string, string>> {
  const needles = [...new Set(logins.map((l) => l.trim().toLowerCase()))];
  const found = new Map<string, string>();
  if (needles.length === 0) return found;
  const rows = await ctx.db
    .selectFrom('users')
    .select((eb) => ['id', eb.fn<string>('lower', ['login']).as('login'), eb.fn<string | null>('lower', ['email']).as('email')])
    .where((eb) => eb.or([eb(eb.fn('lower', ['login']), 'in', needles), eb(eb.fn('lower', ['email']), 'in', needles)]))
    .orderBy('created_at')
    .execute();
  for (const row of rows) if (row.email && !found.has(row.email)) found.set(row.email, row.id);
  for (const row of rows) found.set(row.login, row.id);
  return found;
}

export async function listUsers(ctx: Ctx, query: UserListQuery): Promise<{ items: User[]; nextCursor: string | null }> {
  let q = ctx.db.selectFrom('users').selectAll('users');
  if (query.q?.trim()) q = q.where('search_text', 'like', likePattern(query.q.trim()));
  if (query.status) q = q.where('status', '=', query.status);
  if (query.ids) q = q.where('id', 'in', query.ids);
  if (query.departmentId) {
    const departmentId = query.departmentId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_departments as ud')
          .select('ud.user_id')
          .whereRef('ud.user_id', '=', 'users.id')
          .where('ud.department_id', '=', departmentId),
      ),
    );
  }
  if (query.cursor) {
    const [sortKey, id] = decodeCursor(query.cursor, ['text', 'uuid']);
    q = q.where((eb) => eb.or([eb('sort_key', '>', sortKey), eb.and([eb('sort_key', '=', sortKey), eb('id', '>', id)])]));
  }
  const rows = await q.orderBy('sort_key').orderBy('id').limit(query.limit + 1).execute();
  const pageRows = rows.slice(0, query.limit);
  const last = pageRows.at(-1);
  return {
    items: await withDepartments(ctx, pageRows),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.sort_key, last.id]) : null,
  };
}

async function assertManager(ctx: Ctx, managerId: string | null, selfId?: string): Promise<void> {
  if (!managerId) return;
  if (managerId === selfId) throw new AppError('MANAGER_NOT_FOUND', 422, { details: { field: 'managerId' } });
  const found = await ctx.db.selectFrom('users').select('id').where('id', '=', managerId).executeTakeFirst();
  if (!found) throw new AppError('MANAGER_NOT_FOUND', 422, { details: { field: 'managerId' } });
}

async function setMemberships(ctx: Ctx, userId: string, mainDepartmentId: string | null, departmentIds: string[]): Promise<void> {
  const all = [...new Set([...(mainDepartmentId ? [mainDepartmentId] : []), ...departmentIds])];
  await assertDepartmentsExist(ctx, all);
  await ctx.db.deleteFrom('user_departments').where('user_id', '=', userId).execute();
  if (all.length > 0) {
    await ctx.db
      .insertInto('user_departments')
      .values(all.map((department_id) => ({ user_id: userId, department_id })))
      .execute();
  }
}

async function assertLoginFree(ctx: Ctx, login: string): Promise<void> {
  const taken = await ctx.db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['login']), '=', login.toLowerCase()))
    .executeTakeFirst();
  if (taken) throw new AppError('LOGIN_TAKEN', 409, { params: { login }, details: { field: 'login' } });
}

/** Creates the directory entry; the caller sets a password through `auth` in the same transaction. */
export async function createUser(ctx: Ctx, input: Omit<CreateUser, 'password'>): Promise<User> {
  return inTransaction(ctx, async (tx) => {
    await assertLoginFree(tx, input.login);
    await assertManager(tx, input.managerId);
    const keys = searchText(input);
    const row = await tx.db
      .insertInto('users')
      .values({
        login: input.login,
        display_name: input.displayName,
        email: input.email,
        phone: input.phone,
        avatar_url: null,
        locale: input.locale,
        status: 'active',
        is_admin: input.isAdmin,
        main_department_id: input.mainDepartmentId,
        manager_id: input.managerId,
        job_title: input.jobTitle,
        search_text: keys.searchText,
        sort_key: keys.sortKey,
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await setMemberships(tx, row.id, input.mainDepartmentId, input.departmentIds);
    await forgetAccess(tx);
    await appendAudit(tx, { action: 'user.create', targetType: 'user', targetId: row.id, details: { login: input.login, isAdmin: input.isAdmin } });
    await publishEvent(tx, { aggregateType: 'user', aggregateId: row.id, type: 'user.created', payload: { id: row.id } });
    return getUser(tx, row.id);
  });
}

export type UserPatch = Omit<UpdateUser, 'password'> & { avatarUrl?: string | null };

export async function updateUser(ctx: Ctx, id: string, patch: UserPatch): Promise<{ user: User; changed: string[] }> {
  return inTransaction(ctx, async (tx) => {
    const before = await getUser(tx, id);
    const next = { ...before, ...definedOnly(patch) };
    if (patch.managerId !== undefined) await assertManager(tx, patch.managerId, id);
    const changed = Object.keys(definedOnly(patch)).filter(
      (k) => JSON.stringify((before as Record<string, unknown>)[k]) !== JSON.stringify((next as Record<string, unknown>)[k]),
    );
    const keys = searchText(next);
    await tx.db
      .updateTable('users')
      .set({
        display_name: next.displayName,
        email: next.email,
        phone: next.phone,
        avatar_url: next.avatarUrl,
        locale: next.locale,
        status: next.status,
        is_admin: next.isAdmin,
        main_department_id: next.mainDepartmentId,
        manager_id: next.managerId,
        job_title: next.jobTitle,
        search_text: keys.searchText,
        sort_key: keys.sortKey,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    if (patch.departmentIds !== undefined || patch.mainDepartmentId !== undefined) {
      const others = patch.departmentIds ?? before.departmentIds.filter((d) => d !== before.mainDepartmentId);
      await setMemberships(tx, id, next.mainDepartmentId, others);
    }
    if (changed.length > 0) {
      await forgetAccess(tx);
      await appendAudit(tx, { action: 'user.update', targetType: 'user', targetId: id, details: { changed, status: next.status, isAdmin: next.isAdmin } });
      await publishEvent(tx, { aggregateType: 'user', aggregateId: id, type: 'user.updated', payload: { id, changed } });
    }
    return { user: await getUser(tx, id), changed };
  });
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function countUsers(ctx: Ctx): Promise<number> {
  const row = await ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Users named in a spreadsheet (id, login or e-mail) → their ids; a name that matches nobody is absent. */
export async function resolveUserRefs(ctx: Ctx, texts: string[]): Promise<Map<string, string>> {
  const ids = texts.filter((t) => isUuid(t));
  const found = ids.length ? await ctx.db.selectFrom('users').select('id').where('id', 'in', ids).execute() : [];
  const known = new Set(found.map((r) => r.id.toLowerCase()));
  const byLogin = await findUserIdsByLogins(ctx, texts.filter((t) => !isUuid(t)));
  const resolved = new Map<string, string>();
  for (const text of texts) {
    const id = isUuid(text) ? (known.has(text.toLowerCase()) ? text.toLowerCase() : undefined) : byLogin.get(text.trim().toLowerCase());
    if (id) resolved.set(text, id);
  }
  return resolved;
}
