import { parse } from 'csv-parse/sync';
import { z } from 'zod';
// Departments, memberships and managers decide whose records a user reaches: every change re-derives it.
import { forgetAccess } from '../access/model.ts';
import { appendAudit } from '../audit/index.ts';
import { setPassword } from '../auth/index.ts';
import { CreateUser, type ImportRowError, type ImportUsersResult, type Locale } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { describeIssue, importMessages, type ImportRowCode } from '../i18n/import-messages.ts';
import { translateWith } from '../i18n/translate.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { createDepartment, listDepartments } from './departments.ts';
import { createUser, findUserIdsByLogins, updateUser } from './users.ts';

const MAX_ROWS = 5000;

/** Column names as people write them, in English or Chinese, mapped to our fields. */
const HEADERS: Record<string, string> = {
  login: 'login', 登录名: 'login', 账号: 'login',
  displayname: 'displayName', name: 'displayName', 姓名: 'displayName',
  email: 'email', 邮箱: 'email',
  phone: 'phone', mobile: 'phone', 手机: 'phone', 电话: 'phone',
  department: 'department', 部门: 'department',
  jobtitle: 'jobTitle', title: 'jobTitle', 职位: 'jobTitle',
  manager: 'manager', 上级: 'manager', 直属上级: 'manager',
  password: 'password', 密码: 'password',
  locale: 'locale', 语言: 'locale',
};

const RowSchema = CreateUser.pick({ login: true, displayName: true, email: true, phone: true, jobTitle: true, locale: true, password: true });

type ParsedRow = { line: number; user: z.infer<typeof RowSchema>; department: string | null; manager: string | null };

/** Carries a dry run's counts out of the transaction it rolls back. */
class DryRunRollback extends Error {
  readonly result: { created: number; departmentsCreated: number };
  constructor(result: { created: number; departmentsCreated: number }) {
    super('dry run');
    this.result = result;
  }
}

/**
 * Imports people from CSV, all or nothing: every row is checked first and any error (with its line
 * and column) rejects the whole file. Departments named by path ("总部/销售部") are created as needed.
 */
export async function importUsers(ctx: Ctx, csv: string, dryRun: boolean): Promise<ImportUsersResult> {
  const { rows, errors, rowError } = parseRows(csv, ctx.locale);
  const existing = await findUserIdsByLogins(ctx, rows.flatMap((r) => (r.manager ? [r.user.login, r.manager] : [r.user.login])));
  const logins = new Map<string, number>();
  for (const row of rows) {
    const key = row.user.login.toLowerCase();
    if (logins.has(key)) errors.push(rowError(row.line, 'login', 'DUPLICATE_IN_FILE', { login: row.user.login, line: logins.get(key)! }));
    else logins.set(key, row.line);
    if (existing.has(key)) errors.push(rowError(row.line, 'login', 'LOGIN_TAKEN', { login: row.user.login }));
  }
  for (const row of rows) {
    const manager = row.manager?.trim().toLowerCase();
    if (manager && !logins.has(manager) && !existing.has(manager)) errors.push(rowError(row.line, 'manager', 'MANAGER_NOT_FOUND', { manager: row.manager! }));
  }
  if (errors.length > 0) {
    throw new AppError('IMPORT_FAILED', 422, { params: { count: new Set(errors.map((e) => e.row)).size }, details: { rows: errors.slice(0, 500) } });
  }
  try {
    return await inTransaction(ctx, async (tx) => {
      const result = await applyRows(tx, rows, existing);
      await forgetAccess(tx);
      await appendAudit(tx, { action: 'user.import', details: { created: result.created, departmentsCreated: result.departmentsCreated } });
      if (dryRun) throw new DryRunRollback(result);
      return { dryRun: false, ...result };
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return { dryRun: true, ...error.result };
    throw error;
  }
}

type RowErrorOf = (row: number, column: string | null, code: ImportRowCode, params: Record<string, string | number>) => ImportRowError;

/** Row errors name columns as the file's header does (登录名 rather than login). */
function rowErrors(locale: Locale, headerNames: Map<string, string>): RowErrorOf {
  return (row, field, code, params) => {
    const column = field === null ? null : (headerNames.get(field) ?? field);
    const filled = 'column' in params && column !== null ? { ...params, column } : params;
    return { row, column, code, message: translateWith(importMessages[locale][code], filled) };
  };
}

function parseRows(csv: string, locale: Locale): { rows: ParsedRow[]; errors: ImportRowError[]; rowError: RowErrorOf } {
  const headerNames = new Map<string, string>();
  const rowError = rowErrors(locale, headerNames);
  const columns = (header: string[]) =>
    header.map((raw) => {
      const field = normaliseHeader(raw);
      headerNames.set(field, raw.trim());
      return field;
    });
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(csv, { columns, skip_empty_lines: true, trim: true, bom: true, info: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    return { rows: [], errors: [rowError(line, null, 'CSV_SYNTAX', { reason: (error as Error).message })], rowError };
  }
  if (records.length > MAX_ROWS) return { rows: [], errors: [rowError(1, null, 'TOO_MANY_ROWS', { max: MAX_ROWS })], rowError };
  const errors: ImportRowError[] = [];
  const header = Object.keys(records[0]?.record ?? {});
  for (const name of header.filter((h) => h.startsWith('?'))) errors.push(rowError(1, name, 'UNKNOWN_COLUMN', { column: name }));
  for (const required of ['login', 'displayName']) {
    if (records.length > 0 && !header.includes(required)) errors.push(rowError(1, required, 'MISSING_COLUMN', { column: required }));
  }
  if (errors.length > 0) return { rows: [], errors, rowError };
  const rows: ParsedRow[] = [];
  for (const { record, info } of records) {
    const blank = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
    const parsed = RowSchema.safeParse({
      login: record.login ?? '',
      displayName: record.displayName ?? '',
      email: blank(record.email) ?? null,
      phone: blank(record.phone) ?? null,
      jobTitle: blank(record.jobTitle) ?? null,
      locale: blank(record.locale),
      password: blank(record.password),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = String(issue.path[0] ?? '');
        errors.push(rowError(info.lines, column, 'INVALID_VALUE', { column, problem: describeIssue(locale, issue, record[column]) }));
      }
      continue;
    }
    rows.push({ line: info.lines, user: parsed.data, department: blank(record.department) ?? null, manager: blank(record.manager) ?? null });
  }
  return { rows, errors, rowError };
}

function normaliseHeader(raw: string): string {
  const key = raw.trim().replace(/[\s_-]/g, '').toLowerCase();
  return HEADERS[key] ?? HEADERS[raw.trim()] ?? `?${raw.trim()}`;
}

async function applyRows(tx: Ctx, rows: ParsedRow[], existing: Map<string, string>): Promise<{ created: number; departmentsCreated: number }> {
  const departments = await listDepartments(tx);
  let departmentsCreated = 0;
  const departmentFor = async (path: string): Promise<string> => {
    let parentId: string | null = null;
    for (const name of path.split('/').map((s) => s.trim()).filter(Boolean)) {
      const existing = departments.find((d) => d.parentId === parentId && d.name === name);
      if (existing) {
        parentId = existing.id;
        continue;
      }
      const created = await createDepartment(tx, { name, parentId, managerId: null, sort: 0 });
      departments.push(created);
      departmentsCreated++;
      parentId = created.id;
    }
    return parentId!;
  };
  const ids = new Map<string, string>();
  for (const row of rows) {
    const mainDepartmentId = row.department ? await departmentFor(row.department) : null;
    const { password, ...fields } = row.user;
    const user = await createUser(tx, { ...fields, mainDepartmentId, departmentIds: [], managerId: null, isAdmin: false });
    if (password) await setPassword(tx, user.id, password);
    ids.set(user.login.toLowerCase(), user.id);
  }
  for (const row of rows.filter((r) => r.manager)) {
    const manager = row.manager!.trim().toLowerCase();
    const managerId = ids.get(manager) ?? existing.get(manager)!;
    await updateUser(tx, ids.get(row.user.login.toLowerCase())!, { managerId });
  }
  return { created: rows.length, departmentsCreated };
}
