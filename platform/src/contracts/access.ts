import { z } from 'zod';
import { Id, Timestamp, text } from './common.ts';
import { ApiName, LocalisedText } from './meta.ts';

/** Whose records a right covers: the owner's, her departments', those and every department below, or all. */
export const AccessScope = z.enum(['none', 'own', 'department', 'department_tree', 'all']).meta({ id: 'AccessScope' });
export type AccessScope = z.infer<typeof AccessScope>;

export const FieldAccess = z.enum(['hidden', 'read', 'edit']).meta({ id: 'FieldAccess' });
export type FieldAccess = z.infer<typeof FieldAccess>;

export const ObjectPermission = z
  .object({
    object: z.union([ApiName, z.literal('*')]).meta({ description: 'An object API name, or "*" for every object the role does not name.' }),
    create: z.boolean().default(false),
    read: AccessScope.default('none'),
    edit: AccessScope.default('none'),
    delete: AccessScope.default('none'),
    viewAll: z.boolean().default(false).meta({ description: 'Read every record, whatever the scope and sharing.' }),
    modifyAll: z.boolean().default(false).meta({ description: 'Read, change, delete and transfer every record.' }),
    fields: z.record(ApiName, FieldAccess).default({}).meta({ description: 'Fields not named are editable (computed fields read-only).' }),
  })
  .strict()
  .meta({ id: 'ObjectPermission' });
export type ObjectPermission = z.infer<typeof ObjectPermission>;

export const RoleKey = z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, 'lower-case letters, digits and _, starting with a letter, at most 50');

export const Role = z
  .object({
    id: Id,
    key: z.string(),
    label: LocalisedText,
    description: z.string(),
    builtin: z.boolean(),
    memberCount: z.number().int().meta({ description: 'For "member": every active user; for "admin": every active administrator.' }),
    permissions: z.array(ObjectPermission),
    updatedAt: Timestamp,
  })
  .meta({ id: 'Role' });
export type Role = z.infer<typeof Role>;
export const RoleList = z.object({ items: z.array(Role) }).meta({ id: 'RoleList' });

export const CreateRole = z
  .object({ key: RoleKey, label: LocalisedText, description: text(500).default(''), permissions: z.array(ObjectPermission).max(1000).default([]) })
  .strict()
  .meta({ id: 'CreateRole' });
export type CreateRole = z.infer<typeof CreateRole>;

export const UpdateRole = z
  .object({ label: LocalisedText.optional(), description: text(500).optional(), permissions: z.array(ObjectPermission).max(1000).optional() })
  .strict()
  .meta({ id: 'UpdateRole' });
export type UpdateRole = z.infer<typeof UpdateRole>;

export const RoleMembers = z.object({ userIds: z.array(Id).max(10_000) }).strict().meta({ id: 'RoleMembers' });
export type RoleMembers = z.infer<typeof RoleMembers>;

export const ObjectAccessSettings = z
  .object({
    managerAccess: z.enum(['none', 'read', 'edit']).meta({ description: "What a manager may do with records her reports (directly, down the chain, or in departments she manages) own." }),
  })
  .strict()
  .meta({ id: 'ObjectAccessSettings' });
export type ObjectAccessSettings = z.infer<typeof ObjectAccessSettings>;

export const Grantee = z
  .object({ kind: z.enum(['user', 'department', 'role']), id: Id })
  .strict()
  .meta({ id: 'Grantee', description: 'A department includes every department below it.' });
export type Grantee = z.infer<typeof Grantee>;

export const ShareAccess = z.enum(['read', 'edit']);

export const RecordShare = z
  .object({ id: Id, object: z.string(), recordId: Id, grantee: Grantee, access: ShareAccess, createdBy: Id.nullable(), createdAt: Timestamp })
  .meta({ id: 'RecordShare' });
export type RecordShare = z.infer<typeof RecordShare>;
export const RecordShareList = z.object({ items: z.array(RecordShare) }).meta({ id: 'RecordShareList' });
export const CreateShare = z.object({ grantee: Grantee, access: ShareAccess.default('read') }).strict().meta({ id: 'CreateShare' });
export type CreateShare = z.infer<typeof CreateShare>;

export const SharingRule = z
  .object({ id: Id, object: z.string(), name: z.string(), filter: z.unknown(), grantee: Grantee, access: ShareAccess, updatedAt: Timestamp })
  .meta({ id: 'SharingRule' });
export type SharingRule = z.infer<typeof SharingRule>;
export const SharingRuleList = z.object({ items: z.array(SharingRule) }).meta({ id: 'SharingRuleList' });
export const CreateSharingRule = z
  .object({
    object: ApiName,
    name: text(200, 1),
    filter: z.unknown().meta({ description: 'A list filter tree over the object\'s fields ("$me" and "$my_department" are not allowed: a rule is the same for everyone).' }),
    grantee: Grantee,
    access: ShareAccess.default('read'),
  })
  .strict()
  .meta({ id: 'CreateSharingRule' });
export type CreateSharingRule = z.infer<typeof CreateSharingRule>;
export const UpdateSharingRule = CreateSharingRule.omit({ object: true }).partial().strict().meta({ id: 'UpdateSharingRule' });
export type UpdateSharingRule = z.infer<typeof UpdateSharingRule>;

/** One reason a user may do something with a record. */
export const AccessReason = z
  .object({
    grants: z.array(z.enum(['read', 'edit', 'delete'])),
    kind: z.enum(['admin', 'view_all', 'modify_all', 'role_scope', 'manager', 'share', 'sharing_rule']),
    role: z.object({ id: Id, key: z.string() }).nullable(),
    scope: AccessScope.nullable(),
    shareId: Id.nullable(),
    ruleId: Id.nullable(),
    description: z.string(),
  })
  .meta({ id: 'AccessReason' });
export type AccessReason = z.infer<typeof AccessReason>;

export const AccessExplanation = z
  .object({
    userId: Id,
    object: z.string(),
    recordId: Id,
    recordExists: z.boolean(),
    read: z.boolean(),
    edit: z.boolean(),
    delete: z.boolean(),
    roles: z.array(z.object({ id: Id, key: z.string() })),
    reasons: z.array(AccessReason),
    fields: z.record(z.string(), FieldAccess),
  })
  .meta({ id: 'AccessExplanation' });
export type AccessExplanation = z.infer<typeof AccessExplanation>;

/** What the calling user may do with an object: for screens that hide buttons and columns. */
export const MyObjectAccess = z
  .object({ object: z.string(), create: z.boolean(), read: AccessScope, edit: AccessScope, delete: AccessScope, viewAll: z.boolean(), modifyAll: z.boolean(), fields: z.record(z.string(), FieldAccess) })
  .meta({ id: 'MyObjectAccess' });
export type MyObjectAccess = z.infer<typeof MyObjectAccess>;

/** Who holds a role: for "admin" every active administrator, for "member" every active user. */
export const RoleMember = z.object({ id: Id, login: z.string(), displayName: z.string() }).meta({ id: 'RoleMember' });
export type RoleMember = z.infer<typeof RoleMember>;
export const RoleMemberList = z.object({ items: z.array(RoleMember) }).meta({ id: 'RoleMemberList' });
export const SharingRuleQuery = z.object({ object: ApiName.optional() });
