import { sql } from 'kysely';
import { generatePassword, setPassword } from '../auth/index.ts';
import { inTransaction, systemCtx, type Ctx, type Workspace } from '../core/context.ts';
import type { Platform } from '../core/platform.ts';
import { countUsers, createDepartment, createUser, updateDepartment, updateUser } from '../org/index.ts';
import { demoDepartments, demoPeople, type DemoDepartment } from './demo-directory.ts';

export type FirstStartResult = { seeded: boolean; adminPassword: string | null; generated: boolean };

/**
 * On an empty workspace: the `admin` account (password from TB_ADMIN_PASSWORD, else generated and
 * returned once for printing) and, unless TB_DEMO=0, a demo company. Two processes starting at once
 * seed it once: the check runs again under an advisory lock inside the seeding transaction.
 */
export async function firstStart(platform: Platform, workspace: Workspace): Promise<FirstStartResult> {
  const ctx = systemCtx(platform, workspace);
  if ((await countUsers(ctx)) > 0) return { seeded: false, adminPassword: null, generated: false };
  const password = platform.config.adminPassword ?? generatePassword();
  return inTransaction(ctx, async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`threadbase:seed:${workspace.schemas.system}`}))`.execute(tx.db);
    if ((await countUsers(tx)) > 0) return { seeded: false, adminPassword: null, generated: false };
    const admin = await createUser(tx, {
      login: 'admin',
      displayName: '管理员',
      email: null,
      phone: null,
      locale: 'zh-CN',
      jobTitle: null,
      mainDepartmentId: null,
      departmentIds: [],
      managerId: null,
      isAdmin: true,
    });
    await setPassword(tx, admin.id, password);
    if (platform.config.demoData) await seedDemo(tx, admin.id);
    return { seeded: true, adminPassword: password, generated: !platform.config.adminPassword };
  });
}

async function seedDemo(tx: Ctx, adminId: string): Promise<void> {
  const departmentIds = new Map<string, string>();
  const addDepartment = async (dept: DemoDepartment, parentId: string | null, sort: number) => {
    const created = await createDepartment(tx, { name: dept.name, parentId, managerId: null, sort });
    departmentIds.set(dept.name, created.id);
    for (const [i, child] of (dept.children ?? []).entries()) await addDepartment(child, created.id, i);
  };
  await addDepartment(demoDepartments, null, 0);
  const rootId = departmentIds.get(demoDepartments.name)!;
  await updateUser(tx, adminId, { mainDepartmentId: rootId, jobTitle: '系统管理员' });
  const userIds = new Map<string, string>();
  for (const person of demoPeople) {
    const user = await createUser(tx, {
      login: person.login,
      displayName: person.displayName,
      email: `${person.login}@example.com`,
      phone: null,
      locale: person.locale ?? 'zh-CN',
      jobTitle: person.jobTitle,
      mainDepartmentId: departmentIds.get(person.department)!,
      departmentIds: [],
      managerId: person.manager ? userIds.get(person.manager)! : null,
      isAdmin: false,
    });
    userIds.set(person.login, user.id);
  }
  const heads: Record<string, string> = { 示例科技有限公司: 'wangjianguo', 总经办: 'wangjianguo', 销售部: 'lina', 华东大区: 'zhangwei', 华南大区: 'huangmin', 客户成功部: 'wufang', 研发中心: 'zhaolei', 财务部: 'guoxia', 人力资源部: 'hejun' };
  for (const [department, login] of Object.entries(heads)) {
    await updateDepartment(tx, departmentIds.get(department)!, { managerId: userIds.get(login)! });
  }
}
