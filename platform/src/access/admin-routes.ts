import { createRoute } from '@hono/zod-openapi';
import {
  CreateRole,
  CreateSharingRule,
  IdParam,
  ObjectAccessSettings,
  ObjectParam,
  Role,
  RoleList,
  RoleMemberList,
  RoleMembers,
  SharingRule,
  SharingRuleList,
  SharingRuleQuery,
  UpdateRole,
  UpdateSharingRule,
} from '../contracts/index.ts';
import { requireAdmin } from '../core/guards.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { getObjectSettings, setObjectSettings } from './object-settings.ts';
import { createRole, deleteRole, getRole, listRoleMembers, listRoles, setRoleMembers, updateRole } from './roles.ts';
import { createSharingRule, deleteSharingRule, listSharingRules, updateSharingRule } from './sharing-rules.ts';

const tags = ['Access administration'];
const role = '/api/v1/access/roles/{id}';
const rule = '/api/v1/access/sharing-rules/{id}';
const objectSettings = '/api/v1/access/objects/{object}';

const routes = {
  listRoles: createRoute({ method: 'get', path: '/api/v1/access/roles', tags, security: secured, summary: 'Every role with its permissions and active member count (admin)', responses: { 200: json(RoleList, 'Roles'), ...errors(401, 403) } }),
  createRole: createRoute({
    method: 'post',
    path: '/api/v1/access/roles',
    tags,
    security: secured,
    summary: 'Create a role (admin)',
    request: { body: body(CreateRole) },
    responses: { 201: json(Role, 'Created'), ...errors(401, 403, 404, 409) },
  }),
  getRole: createRoute({ method: 'get', path: role, tags, security: secured, summary: 'One role (admin)', request: { params: IdParam }, responses: { 200: json(Role, 'The role'), ...errors(401, 403, 404) } }),
  updateRole: createRoute({
    method: 'patch',
    path: role,
    tags,
    security: secured,
    summary: 'Rename a role or replace its permissions (admin); the built-in "admin" role keeps every right',
    request: { params: IdParam, body: body(UpdateRole) },
    responses: { 200: json(Role, 'Updated'), ...errors(401, 403, 404, 409) },
  }),
  deleteRole: createRoute({
    method: 'delete',
    path: role,
    tags,
    security: secured,
    summary: 'Delete a custom role with its memberships, shares and sharing rules (admin)',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errors(401, 403, 404, 409) },
  }),
  listMembers: createRoute({ method: 'get', path: `${role}/members`, tags, security: secured, summary: 'Who holds the role (admin)', request: { params: IdParam }, responses: { 200: json(RoleMemberList, 'Members'), ...errors(401, 403, 404) } }),
  setMembers: createRoute({
    method: 'put',
    path: `${role}/members`,
    tags,
    security: secured,
    summary: 'Replace who holds a custom role (admin); built-in roles follow the directory',
    request: { params: IdParam, body: body(RoleMembers) },
    responses: { 200: json(RoleMemberList, 'Members'), ...errors(401, 403, 404, 409, 422) },
  }),
  getObjectSettings: createRoute({ method: 'get', path: objectSettings, tags, security: secured, summary: "An object's access settings (admin)", request: { params: ObjectParam }, responses: { 200: json(ObjectAccessSettings, 'Settings'), ...errors(401, 403, 404) } }),
  setObjectSettings: createRoute({
    method: 'put',
    path: objectSettings,
    tags,
    security: secured,
    summary: "Set an object's access settings (admin)",
    request: { params: ObjectParam, body: body(ObjectAccessSettings) },
    responses: { 200: json(ObjectAccessSettings, 'Settings'), ...errors(401, 403, 404) },
  }),
  listRules: createRoute({ method: 'get', path: '/api/v1/access/sharing-rules', tags, security: secured, summary: 'Sharing rules, optionally of one object (admin)', request: { query: SharingRuleQuery }, responses: { 200: json(SharingRuleList, 'Rules'), ...errors(401, 403) } }),
  createRule: createRoute({
    method: 'post',
    path: '/api/v1/access/sharing-rules',
    tags,
    security: secured,
    summary: 'Share every record matching a filter with a user, department (and those below it) or role (admin)',
    request: { body: body(CreateSharingRule) },
    responses: { 201: json(SharingRule, 'Created'), ...errors(401, 403, 404, 422) },
  }),
  updateRule: createRoute({
    method: 'patch',
    path: rule,
    tags,
    security: secured,
    summary: 'Change a sharing rule (admin)',
    request: { params: IdParam, body: body(UpdateSharingRule) },
    responses: { 200: json(SharingRule, 'Updated'), ...errors(401, 403, 404, 422) },
  }),
  deleteRule: createRoute({ method: 'delete', path: rule, tags, security: secured, summary: 'Delete a sharing rule (admin)', request: { params: IdParam }, responses: { 204: { description: 'Deleted' }, ...errors(401, 403, 404) } }),
};

export function accessAdminRoutes() {
  const app = router();
  app.openapi(routes.listRoles, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json({ items: await listRoles(ctx) }, 200);
  });
  app.openapi(routes.createRole, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await createRole(ctx, c.req.valid('json')), 201);
  });
  app.openapi(routes.getRole, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await getRole(ctx, c.req.valid('param').id), 200);
  });
  app.openapi(routes.updateRole, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await updateRole(ctx, c.req.valid('param').id, c.req.valid('json')), 200);
  });
  app.openapi(routes.deleteRole, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    await deleteRole(ctx, c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(routes.listMembers, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json({ items: await listRoleMembers(ctx, c.req.valid('param').id) }, 200);
  });
  app.openapi(routes.setMembers, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json({ items: await setRoleMembers(ctx, c.req.valid('param').id, c.req.valid('json').userIds) }, 200);
  });
  app.openapi(routes.getObjectSettings, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await getObjectSettings(ctx, c.req.valid('param').object), 200);
  });
  app.openapi(routes.setObjectSettings, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await setObjectSettings(ctx, c.req.valid('param').object, c.req.valid('json')), 200);
  });
  app.openapi(routes.listRules, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json({ items: await listSharingRules(ctx, c.req.valid('query').object) }, 200);
  });
  app.openapi(routes.createRule, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await createSharingRule(ctx, c.req.valid('json')), 201);
  });
  app.openapi(routes.updateRule, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await updateSharingRule(ctx, c.req.valid('param').id, c.req.valid('json')), 200);
  });
  app.openapi(routes.deleteRule, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    await deleteSharingRule(ctx, c.req.valid('param').id);
    return c.body(null, 204);
  });
  return app;
}
