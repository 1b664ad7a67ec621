import type { CreateUser, Department, ImportUsersResult, UpdateDepartment, UpdateUser, User, UserStatus } from '@threadbase/platform/contracts';
import { request } from './http.ts';

/** `ids`: only these people, comma-separated (at most 200). */
export type UserQuery = { q?: string; departmentId?: string | null; status?: UserStatus | null; ids?: string; limit?: number; cursor?: string | null };
export type UserPageResult = { items: User[]; nextCursor: string | null };
export type NewDepartment = { name: string; parentId?: string | null; managerId?: string | null; sort?: number };
/** The server fills in defaults for everything but the login and the name. */
export type NewUser = Pick<CreateUser, 'login' | 'displayName'> & Partial<Omit<CreateUser, 'login' | 'displayName'>>;

const id = (value: string) => encodeURIComponent(value);

export const orgApi = {
  listDepartments: () => request<{ items: Department[] }>('GET', '/api/v1/org/departments'),
  createDepartment: (input: NewDepartment) => request<Department>('POST', '/api/v1/org/departments', { body: input }),
  updateDepartment: (departmentId: string, patch: UpdateDepartment) =>
    request<Department>('PATCH', `/api/v1/org/departments/${id(departmentId)}`, { body: patch }),
  deleteDepartment: (departmentId: string) => request<void>('DELETE', `/api/v1/org/departments/${id(departmentId)}`),
  listUsers: (query: UserQuery) => request<UserPageResult>('GET', '/api/v1/org/users', { query }),
  getUser: (userId: string) => request<User>('GET', `/api/v1/org/users/${id(userId)}`),
  createUser: (input: NewUser) => request<User>('POST', '/api/v1/org/users', { body: input }),
  updateUser: (userId: string, patch: UpdateUser) => request<User>('PATCH', `/api/v1/org/users/${id(userId)}`, { body: patch }),
  importUsers: (csv: string, dryRun: boolean) => request<ImportUsersResult>('POST', '/api/v1/org/users/import', { body: { csv, dryRun } }),
};
