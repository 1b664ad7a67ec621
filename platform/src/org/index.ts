// Directory services. The admin use cases that also touch credentials (manage-users, import-users)
// depend on auth and are imported by routes and CLI directly, so auth can depend on this index.
export { createUser, updateUser, getUser, getActorProfile, listUsers, findUserIdByLogin, countUsers, resolveUserRefs, type UserPatch } from './users.ts';
export { listDepartments, getDepartment, createDepartment, updateDepartment, deleteDepartment, resolveDepartmentRefs } from './departments.ts';
