import type { Locale, UpdateUser, User, UserStatus } from '@threadbase/platform/contracts';
import type { NewUser } from '@threadbase/runtime/shared';

/** What the user dialog edits. Empty strings stand for "not set"; `departmentIds` excludes the main department. */
export type UserFormModel = {
  login: string;
  displayName: string;
  password: string;
  email: string;
  phone: string;
  jobTitle: string;
  mainDepartmentId: string | null;
  departmentIds: string[];
  managerId: string | null;
  isAdmin: boolean;
  locale: Locale;
  status: UserStatus;
};

export function emptyUserForm(departmentId: string | null = null): UserFormModel {
  return {
    login: '',
    displayName: '',
    password: '',
    email: '',
    phone: '',
    jobTitle: '',
    mainDepartmentId: departmentId,
    departmentIds: [],
    managerId: null,
    isAdmin: false,
    locale: 'zh-CN',
    status: 'active',
  };
}

export function userToForm(user: User): UserFormModel {
  return {
    login: user.login,
    displayName: user.displayName,
    password: '',
    email: user.email ?? '',
    phone: user.phone ?? '',
    jobTitle: user.jobTitle ?? '',
    mainDepartmentId: user.mainDepartmentId,
    departmentIds: user.departmentIds.filter((id) => id !== user.mainDepartmentId),
    managerId: user.managerId,
    isAdmin: user.isAdmin,
    locale: user.locale,
    status: user.status,
  };
}

export function formToCreate(model: UserFormModel): NewUser {
  return {
    login: model.login.trim(),
    displayName: model.displayName.trim(),
    ...(model.password ? { password: model.password } : {}),
    email: orNull(model.email),
    phone: orNull(model.phone),
    jobTitle: orNull(model.jobTitle),
    mainDepartmentId: model.mainDepartmentId,
    departmentIds: others(model),
    managerId: model.managerId,
    isAdmin: model.isAdmin,
    locale: model.locale,
  };
}

/** Only what changed, so that saving a dialog never overwrites a field someone else edited meanwhile. */
export function formToPatch(model: UserFormModel, original: User): UpdateUser {
  const before = userToForm(original);
  const patch: UpdateUser = {};
  if (model.displayName.trim() !== before.displayName) patch.displayName = model.displayName.trim();
  if (orNull(model.email) !== original.email) patch.email = orNull(model.email);
  if (orNull(model.phone) !== original.phone) patch.phone = orNull(model.phone);
  if (orNull(model.jobTitle) !== original.jobTitle) patch.jobTitle = orNull(model.jobTitle);
  if (model.managerId !== before.managerId) patch.managerId = model.managerId;
  if (model.isAdmin !== before.isAdmin) patch.isAdmin = model.isAdmin;
  if (model.locale !== before.locale) patch.locale = model.locale;
  if (model.status !== before.status) patch.status = model.status;
  if (model.password) patch.password = model.password;
  // The server rebuilds memberships from both fields together, so they travel together.
  if (model.mainDepartmentId !== before.mainDepartmentId || !sameSet(others(model), before.departmentIds)) {
    patch.mainDepartmentId = model.mainDepartmentId;
    patch.departmentIds = others(model);
  }
  return patch;
}

function others(model: UserFormModel): string[] {
  return [...new Set(model.departmentIds)].filter((id) => id !== model.mainDepartmentId);
}

function orNull(value: string): string | null {
  return value.trim() || null;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
