import { z } from 'zod';
import { Login, Password, User, UserStatus } from './auth.ts';
import { Id, Locale, PageQuery, idList, page, text } from './common.ts';
import { PresenceStatus } from './presence.ts';

export const Department = z
  .object({
    id: Id,
    name: z.string(),
    parentId: Id.nullable(),
    managerId: Id.nullable(),
    sort: z.number().int(),
    memberCount: z.number().int().meta({ description: 'Active people whose departments include this one.' }),
    totalMemberCount: z.number().int().meta({ description: 'Distinct active people in this department and all below it.' }),
  })
  .meta({ id: 'Department' });
export type Department = z.infer<typeof Department>;

export const DepartmentList = z.object({ items: z.array(Department) }).meta({ id: 'DepartmentList' });

export const CreateDepartment = z
  .object({
    name: text(100, 1),
    parentId: Id.nullable().default(null),
    managerId: Id.nullable().default(null),
    sort: z.number().int().min(-1_000_000).max(1_000_000).default(0),
  })
  .strict()
  .meta({ id: 'CreateDepartment' });
export type CreateDepartment = z.infer<typeof CreateDepartment>;

export const UpdateDepartment = z
  .object({
    name: text(100, 1).optional(),
    parentId: Id.nullable().optional(),
    managerId: Id.nullable().optional(),
    sort: z.number().int().min(-1_000_000).max(1_000_000).optional(),
  })
  .strict()
  .meta({ id: 'UpdateDepartment' });
export type UpdateDepartment = z.infer<typeof UpdateDepartment>;

export const UserListQuery = PageQuery.extend({
  q: text(100).optional().meta({ description: 'Matches name, login, email, phone and pinyin (全拼 or initials 首字母).' }),
  ids: idList(200)
    .optional()
    .meta({ description: 'Only these people: up to 200 user ids, comma-separated (names and avatars for a screen in one call; unknown ids are left out).' }),
  departmentId: z.uuid().optional(),
  status: UserStatus.optional(),
});
export type UserListQuery = z.infer<typeof UserListQuery>;

/** A person as the directory shows her: with whether she is connected right now. */
export const DirectoryUser = User.extend({ presence: PresenceStatus }).meta({ id: 'DirectoryUser' });
export type DirectoryUser = z.infer<typeof DirectoryUser>;

export const UserPage = page(DirectoryUser).meta({ id: 'UserPage' });

const userFields = {
  displayName: text(100, 1),
  email: z.email().max(254).nullable(),
  phone: text(32).regex(/^\+?[0-9 ()-]{3,32}$/).nullable(),
  locale: Locale,
  jobTitle: text(100).nullable(),
  mainDepartmentId: Id.nullable(),
  departmentIds: z.array(Id).max(50),
  managerId: Id.nullable(),
  isAdmin: z.boolean(),
};

export const CreateUser = z
  .object({
    login: Login,
    password: Password.optional().meta({ description: 'Without one the user cannot log in until an admin sets it.' }),
    ...userFields,
    email: userFields.email.default(null),
    phone: userFields.phone.default(null),
    locale: userFields.locale.default('zh-CN'),
    jobTitle: userFields.jobTitle.default(null),
    mainDepartmentId: userFields.mainDepartmentId.default(null),
    departmentIds: userFields.departmentIds.default([]),
    managerId: userFields.managerId.default(null),
    isAdmin: userFields.isAdmin.default(false),
  })
  .strict()
  .meta({ id: 'CreateUser' });
export type CreateUser = z.infer<typeof CreateUser>;

export const UpdateUser = z
  .object({
    displayName: userFields.displayName.optional(),
    email: userFields.email.optional(),
    phone: userFields.phone.optional(),
    locale: userFields.locale.optional(),
    jobTitle: userFields.jobTitle.optional(),
    mainDepartmentId: userFields.mainDepartmentId.optional(),
    departmentIds: userFields.departmentIds.optional(),
    managerId: userFields.managerId.optional(),
    isAdmin: userFields.isAdmin.optional(),
    status: UserStatus.optional(),
    password: Password.optional().meta({ description: 'Sets a new password and ends the user\'s sessions.' }),
  })
  .strict()
  .meta({ id: 'UpdateUser' });
export type UpdateUser = z.infer<typeof UpdateUser>;

export const ImportUsersRequest = z
  .object({
    csv: text(5_000_000, 1).meta({
      description: 'CSV with a header row: login, displayName, email, phone, department (path like 总部/销售部), jobTitle, manager (login), password, locale.',
    }),
    dryRun: z.boolean().default(false),
  })
  .strict()
  .meta({ id: 'ImportUsersRequest' });
export type ImportUsersRequest = z.infer<typeof ImportUsersRequest>;

export const ImportRowError = z.object({ row: z.number().int(), column: z.string().nullable(), code: z.string(), message: z.string() });
export type ImportRowError = z.infer<typeof ImportRowError>;

export const ImportUsersResult = z
  .object({ dryRun: z.boolean(), created: z.number().int(), departmentsCreated: z.number().int() })
  .meta({ id: 'ImportUsersResult' });
export type ImportUsersResult = z.infer<typeof ImportUsersResult>;
