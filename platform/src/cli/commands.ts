import { generatePassword, setPassword } from '../auth/index.ts';
import { verifyAudit } from '../audit/index.ts';
import { startPlatform, type StartedPlatform } from '../boot/start-platform.ts';
import type { Config } from '../config.ts';
import { inTransaction, systemCtx, type Workspace } from '../core/context.ts';
import { databaseTarget, type Database } from '../db/open-database.ts';
import { PurgeRefusedError, purgeArchived, type PurgeItem } from '../meta/index.ts';
import { createUser, findUserIdByLogin, getUser, updateUser } from '../org/index.ts';
import { serveHttp } from '../server.ts';
import { Login, Password } from '../contracts/index.ts';
import { CliError } from './cli-error.ts';


export type Out = (line: string) => void;

async function withPlatform<T>(config: Config, fn: (p: StartedPlatform) => Promise<T>): Promise<T> {
  const platform = await startPlatform({ config, target: databaseTarget(config), dispatch: false, seed: false });
  try {
    return await fn(platform);
  } finally {
    await platform.stop();
  }
}

function pickWorkspace(platform: StartedPlatform, slug: string | undefined): Workspace {
  const list = platform.workspaces.list();
  const found = slug ? list.find((w) => w.slug === slug) : list.find((w) => w.isDefault);
  if (!found) throw new CliError(`No workspace "${slug}". Known: ${list.map((w) => w.slug).join(', ')}`);
  return found;
}

function checked<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new CliError(`Invalid ${what}: ${result.error.issues.map((i) => i.message).join('; ')}`);
  return result.data;
}

export async function startCommand(config: Config, out: Out, database: Promise<Database>): Promise<() => Promise<void>> {
  const platform = await startPlatform({ config, target: database });
  const server = await serveHttp(platform, { port: config.port, host: config.host });
  const where = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`;
  const lines = [
    `Threadbase is running on ${where}.`,
    `  Employee app:  ${server.url}/`,
    `  Designer:      ${server.url}/designer/`,
    `  API reference: ${server.url}/api/docs`,
  ];
  if (platform.firstStart.seeded) {
    lines.push('', 'First start: created the workspace and its administrator.', '  Log in as:  admin');
    lines.push(platform.firstStart.generated ? `  Password:   ${platform.firstStart.adminPassword}   (shown only this once; change it after logging in)` : '  Password:   the value of TB_ADMIN_PASSWORD');
  } else {
    lines.push('Log in with your account (forgot the admin password? `npx threadbase reset-password --login admin`).');
  }
  // One write, so that whoever reads the output sees the whole banner at once.
  out(lines.join('\n'));
  return async () => {
    await server.close();
    await platform.stop();
  };
}

export async function migrateCommand(config: Config, out: Out): Promise<void> {
  await withPlatform(config, async (p) => {
    out(p.migrationsApplied.length ? `Applied ${p.migrationsApplied.length} migrations:\n  ${p.migrationsApplied.join('\n  ')}` : 'The database is up to date.');
  });
}

export async function createAdminCommand(config: Config, args: { login?: string; password?: string; name?: string; workspace?: string }, out: Out): Promise<void> {
  const login = checked(Login, args.login, 'login (use --login)');
  const password = args.password === undefined ? generatePassword() : checked(Password, args.password, 'password');
  await withPlatform(config, async (p) => {
    const ctx = systemCtx(p, pickWorkspace(p, args.workspace));
    if (await findUserIdByLogin(ctx, login)) throw new CliError(`A user "${login}" already exists; use reset-password, or pick another login.`);
    await inTransaction(ctx, async (tx) => {
      const user = await createUser(tx, {
        login, displayName: args.name ?? login, email: null, phone: null, locale: 'zh-CN', jobTitle: null,
        mainDepartmentId: null, departmentIds: [], managerId: null, isAdmin: true,
      });
      await setPassword(tx, user.id, password);
    });
    out(`Created administrator "${login}".`);
    if (args.password === undefined) out(`Password: ${password}   (shown only this once)`);
  });
}

export async function resetPasswordCommand(config: Config, args: { login?: string; password?: string; workspace?: string }, out: Out): Promise<void> {
  const login = checked(Login, args.login, 'login (use --login)');
  const password = args.password === undefined ? generatePassword() : checked(Password, args.password, 'password');
  await withPlatform(config, async (p) => {
    const ctx = systemCtx(p, pickWorkspace(p, args.workspace));
    const id = await findUserIdByLogin(ctx, login);
    if (!id) throw new CliError(`No user "${login}".`);
    await inTransaction(ctx, async (tx) => {
      await setPassword(tx, id, password);
      if ((await getUser(tx, id)).status !== 'active') await updateUser(tx, id, { status: 'active' });
    });
    out(`Password of "${login}" reset; their sessions were ended and any lock-out cleared.`);
    if (args.password === undefined) out(`New password: ${password}   (shown only this once)`);
  });
}

export async function auditVerifyCommand(config: Config, args: { workspace?: string }, out: Out): Promise<boolean> {
  return withPlatform(config, async (p) => {
    const workspaces = args.workspace ? [pickWorkspace(p, args.workspace)] : p.workspaces.list();
    let ok = true;
    for (const workspace of workspaces) {
      const report = await verifyAudit(systemCtx(p, workspace));
      ok &&= report.ok;
      out(`${workspace.slug}: ${report.entries} entries, ${report.ok ? 'chain intact' : `${report.problems.length} problem(s)`}`);
      for (const problem of report.problems.slice(0, 50)) out(`  seq ${problem.seq}: ${problem.problem}`);
    }
    return ok;
  });
}

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function purgeLine(item: PurgeItem): string {
  if (item.kind === 'object') return `  object ${item.object.padEnd(40)} ${count(item.rows, 'row')}`;
  const data = item.values === null ? 'computed, nothing stored' : `${count(item.values, 'value')} in ${count(item.rows, 'row')}`;
  return `  field  ${`${item.object}.${item.field}`.padEnd(40)} ${data}`;
}

export async function purgeCommand(config: Config, args: { object?: string[]; field?: string[]; yes?: boolean; workspace?: string }, out: Out): Promise<void> {
  await withPlatform(config, async (p) => {
    const workspace = pickWorkspace(p, args.workspace);
    const selection = { objects: args.object ?? [], fields: args.field ?? [] };
    const result = await purgeArchived(systemCtx(p, workspace), selection, { dryRun: !args.yes }).catch((error: unknown) => {
      throw error instanceof PurgeRefusedError ? new CliError(error.message) : error;
    });
    if (result.items.length === 0) return out(`Nothing archived to purge in workspace "${workspace.slug}".`);
    out(`${result.version === null ? 'Archived, would be dropped' : 'Dropped'} in workspace "${workspace.slug}":`);
    for (const item of result.items) out(purgeLine(item));
    out(result.version === null ? 'Dry run: nothing was changed. Add --yes to drop these for good.' : `Published as metadata version ${result.version}.`);
  });
}
