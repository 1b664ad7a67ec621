import { createRoute } from '@hono/zod-openapi';
import {
  CreateDepartment,
  CreateUser,
  Department,
  DepartmentList,
  DirectoryUser,
  IdParam,
  ImportUsersRequest,
  ImportUsersResult,
  UpdateDepartment,
  UpdateUser,
  User,
  UserListQuery,
  UserPage,
} from '../contracts/index.ts';
import type { Ctx } from '../core/context.ts';
import { requireAdmin, requireUser } from '../core/guards.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { createDepartment, deleteDepartment, getUser, listDepartments, listUsers, updateDepartment } from './index.ts';
import { presenceOf } from '../realtime/presence.ts';
import { importUsers } from './import-users.ts';
import { adminCreateUser, adminUpdateUser } from './manage-users.ts';

const tags = ['Directory'];

/** The directory shows who is connected right now; presence lives with realtime, which tracks the sockets. */
async function withPresence(ctx: Ctx, users: User[]): Promise<DirectoryUser[]> {
  const presence = await presenceOf(ctx, users.map((u) => u.id));
  return users.map((u) => ({ ...u, presence: presence.get(u.id)! }));
}

const routes = {
  listDepartments: createRoute({
    method: 'get',
    path: '/api/v1/org/departments',
    tags,
    security: secured,
    summary: 'All departments, flat, with parentId (build the tree on the client) and active member counts',
    responses: { 200: json(DepartmentList, 'Departments'), ...errors(401, 403) },
  }),
  createDepartment: createRoute({
    method: 'post',
    path: '/api/v1/org/departments',
    tags,
    security: secured,
    summary: 'Create a department (admin)',
    request: { body: body(CreateDepartment) },
    responses: { 201: json(Department, 'Created'), ...errors(401, 403, 422) },
  }),
  updateDepartment: createRoute({
    method: 'patch',
    path: '/api/v1/org/departments/{id}',
    tags,
    security: secured,
    summary: 'Rename or move a department, or change its manager (admin); moving under itself is refused',
    request: { params: IdParam, body: body(UpdateDepartment) },
    responses: { 200: json(Department, 'Updated'), ...errors(401, 403, 404, 409, 422) },
  }),
  deleteDepartment: createRoute({
    method: 'delete',
    path: '/api/v1/org/departments/{id}',
    tags,
    security: secured,
    summary: 'Delete an empty department (admin)',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errors(401, 403, 404, 409) },
  }),
  listUsers: createRoute({
    method: 'get',
    path: '/api/v1/org/users',
    tags,
    security: secured,
    summary: 'Search the directory by name, pinyin, login, e-mail or phone',
    request: { query: UserListQuery },
    responses: { 200: json(UserPage, 'A page of people'), ...errors(401, 403) },
  }),
  getUser: createRoute({
    method: 'get',
    path: '/api/v1/org/users/{id}',
    tags,
    security: secured,
    summary: 'One person',
    request: { params: IdParam },
    responses: { 200: json(DirectoryUser, 'The person, with presence'), ...errors(401, 403, 404) },
  }),
  createUser: createRoute({
    method: 'post',
    path: '/api/v1/org/users',
    tags,
    security: secured,
    summary: 'Add a person (admin)',
    request: { body: body(CreateUser) },
    responses: { 201: json(User, 'Created'), ...errors(401, 403, 409, 422) },
  }),
  updateUser: createRoute({
    method: 'patch',
    path: '/api/v1/org/users/{id}',
    tags,
    security: secured,
    summary: 'Edit, disable or re-enable a person, or set their password (admin)',
    request: { params: IdParam, body: body(UpdateUser) },
    responses: { 200: json(User, 'Updated'), ...errors(401, 403, 404, 409, 422) },
  }),
  importUsers: createRoute({
    method: 'post',
    path: '/api/v1/org/users/import',
    tags,
    security: secured,
    summary: 'Import people from CSV, all or nothing (admin)',
    description: 'Any invalid row rejects the whole file with IMPORT_FAILED and `details.rows` listing each row, column and problem.',
    request: { body: body(ImportUsersRequest) },
    responses: { 200: json(ImportUsersResult, 'Imported (or, with dryRun, what would be)'), ...errors(401, 403, 422) },
  }),
};

export function orgRoutes() {
  const app = router();
  app.openapi(routes.listDepartments, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json({ items: await listDepartments(ctx) }, 200);
  });
  app.openapi(routes.createDepartment, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await createDepartment(ctx, c.req.valid('json')), 201);
  });
  app.openapi(routes.updateDepartment, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await updateDepartment(ctx, c.req.valid('param').id, c.req.valid('json')), 200);
  });
  app.openapi(routes.deleteDepartment, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    await deleteDepartment(ctx, c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(routes.listUsers, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    const page = await listUsers(ctx, c.req.valid('query'));
    return c.json({ ...page, items: await withPresence(ctx, page.items) }, 200);
  });
  app.openapi(routes.getUser, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    const [user] = await withPresence(ctx, [await getUser(ctx, c.req.valid('param').id)]);
    return c.json(user!, 200);
  });
  app.openapi(routes.createUser, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await adminCreateUser(ctx, c.req.valid('json')), 201);
  });
  app.openapi(routes.updateUser, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await adminUpdateUser(ctx, c.req.valid('param').id, c.req.valid('json')), 200);
  });
  app.openapi(routes.importUsers, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    const input = c.req.valid('json');
    return c.json(await importUsers(ctx, input.csv, input.dryRun), 200);
  });
  return app;
}

