import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx, type Ctx } from '../core/context.ts';
import { toNumber } from '../db/tables.ts';
import { TEST_ADMIN_PASSWORD, apiClient, loginAs, startTestPlatform, type TestPlatform } from '../testing/index.ts';
import { verifyAudit } from './index.ts';

let t: TestPlatform;
let ctx: Ctx;
let table: ReturnType<typeof sql.table>;

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
  table = sql.table(`${ctx.workspace.schemas.system}.audit_log`);
});
afterAll(() => t.close());

const actions = async () => (await ctx.db.selectFrom('audit_log').select(['action', 'actor_login', 'ip']).orderBy('seq').execute());

/** What someone with direct database access could do: the append-only trigger has to be switched off first. */
async function tamper(statement: ReturnType<typeof sql>) {
  await sql`alter table ${table} disable trigger audit_log_append_only`.execute(t.platform.db.kysely);
  await statement.execute(t.platform.db.kysely);
  await sql`alter table ${table} enable trigger audit_log_append_only`.execute(t.platform.db.kysely);
}

describe('audit log', () => {
  it('records logins, failed logins, token creation and user changes with actor and address', async () => {
    const anon = apiClient(t.app, undefined, { 'x-forwarded-for': '192.0.2.7' });
    await anon.post('/api/v1/auth/login', { login: 'admin', password: 'wrong-one' });
    await anon.post('/api/v1/auth/login', { login: 'admin', password: TEST_ADMIN_PASSWORD });
    const admin = await loginAs(t.app);
    await admin.post('/api/v1/me/tokens', { name: 'audit me' });
    const created = await admin.post('/api/v1/org/users', { login: 'audited', displayName: 'A' });
    await admin.patch(`/api/v1/org/users/${created.body.id}`, { status: 'disabled' });
    const log = await actions();
    expect(log.map((e) => e.action)).toEqual(
      expect.arrayContaining(['auth.login_failed', 'auth.login', 'token.create', 'user.create', 'user.update']),
    );
    expect(log.find((e) => e.action === 'auth.login_failed')).toMatchObject({ actor_login: 'admin', ip: '192.0.2.7' });
    expect(log.find((e) => e.action === 'user.update')!.actor_login).toBe('admin');
  });

  it('is append-only: the database refuses updates and deletes', async () => {
    await expect(sql`update ${table} set action = 'x'`.execute(t.platform.db.kysely)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ${table}`.execute(t.platform.db.kysely)).rejects.toThrow(/append-only/);
  });

  it('verifies an intact chain', async () => {
    const report = await verifyAudit(ctx);
    expect(report.ok).toBe(true);
    expect(report.entries).toBeGreaterThan(5);
  });

  it('detects an edited entry', async () => {
    await tamper(sql`update ${table} set details = '{"login":"someone-else"}' where seq = 3`);
    expect((await verifyAudit(ctx)).problems).toContainEqual({ seq: 3, problem: 'edited' });
  });

  it('detects a deleted entry in the middle and a deleted tail', async () => {
    await tamper(sql`delete from ${table} where seq = 5`);
    const report = await verifyAudit(ctx);
    expect(report.problems).toContainEqual({ seq: 5, problem: 'missing' });
    const last = toNumber((await ctx.db.selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()).m);
    await tamper(sql`delete from ${table} where seq = ${last}`);
    expect((await verifyAudit(ctx)).problems).toContainEqual({ seq: last, problem: 'head_mismatch' });
  });
});
