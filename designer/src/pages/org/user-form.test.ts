import type { User } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { emptyUserForm, formToCreate, formToPatch, userToForm } from './user-form.ts';

const user: User = {
  id: 'u1',
  login: 'zhangwei',
  displayName: '张伟',
  email: 'zhangwei@example.com',
  phone: null,
  avatarUrl: null,
  locale: 'zh-CN',
  status: 'active',
  isAdmin: false,
  jobTitle: '大区经理',
  mainDepartmentId: 'east',
  departmentIds: ['east', 'sales'],
  managerId: 'm1',
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('formToCreate', () => {
  it('trims, turns blanks into null and leaves out an empty password', () => {
    const model = { ...emptyUserForm('d1'), login: ' wangfang ', displayName: ' 王芳 ', email: '  ', departmentIds: ['d1', 'd2'] };
    expect(formToCreate(model)).toEqual({
      login: 'wangfang',
      displayName: '王芳',
      email: null,
      phone: null,
      jobTitle: null,
      mainDepartmentId: 'd1',
      departmentIds: ['d2'],
      managerId: null,
      isAdmin: false,
      locale: 'zh-CN',
    });
  });

  it('sends a password when one is typed', () => {
    expect(formToCreate({ ...emptyUserForm(), login: 'a1', displayName: 'A', password: 'secret-123' }).password).toBe('secret-123');
  });
});

describe('userToForm', () => {
  it('lists only the departments besides the main one', () => {
    expect(userToForm(user).departmentIds).toEqual(['sales']);
  });
});

describe('formToPatch', () => {
  it('is empty when nothing changed', () => {
    expect(formToPatch(userToForm(user), user)).toEqual({});
  });

  it('holds only the changed fields', () => {
    const model = { ...userToForm(user), jobTitle: '', status: 'disabled' as const, password: 'new-password-1' };
    expect(formToPatch(model, user)).toEqual({ jobTitle: null, status: 'disabled', password: 'new-password-1' });
  });

  it('sends both membership fields when either changes', () => {
    const model = { ...userToForm(user), mainDepartmentId: 'sales', departmentIds: ['sales', 'east'] };
    expect(formToPatch(model, user)).toEqual({ mainDepartmentId: 'sales', departmentIds: ['east'] });
    expect(formToPatch({ ...userToForm(user), departmentIds: [] }, user)).toEqual({ mainDepartmentId: 'east', departmentIds: [] });
  });
});
