import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.ts';
import { cli, cliMain as main, deployment, killAll, startServer, stop, track } from '../testing/processes.ts';

afterAll(() => killAll());

describe('threadbase CLI: bad input', () => {
  const d = deployment();
  afterAll(() => d.cleanup());

  it.each([
    [[], 2, /Usage: threadbase/],
    [['frobnicate'], 2, /Unknown command "frobnicate"/],
    [['start', '--colour'], 2, /Unknown option '--colour'/],
    [['create-admin'], 2, /Invalid login/],
    [['create-admin', '--login', 'boss', '--password', 'short'], 2, /Invalid password/],
    [['audit', 'check'], 2, /audit verify/],
  ])('%j exits %i with a clear message', async (args, code, message) => {
    const res = await cli(args as string[], d.env);
    expect(res.code).toBe(code);
    expect(res.stdout + res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an invalid configuration before touching anything', async () => {
    const res = await cli(['migrate'], { ...d.env, PORT: 'eighty' });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/Invalid configuration:\n\s+PORT/);
  });
});

describe('threadbase CLI: administration', () => {
  const d = deployment();
  afterAll(() => d.cleanup());

  it('migrate applies the migrations once', async () => {
    const first = await cli(['migrate'], d.env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migrations/);
    expect((await cli(['migrate'], d.env)).stdout).toMatch(/up to date/);
  });

  it('create-admin adds an administrator once, printing a generated password', async () => {
    const res = await cli(['create-admin', '--login', 'boss', '--name', '老板'], d.env);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Password: \S{19}/);
    const again = await cli(['create-admin', '--login', 'Boss'], d.env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('reset-password sets a given password, and refuses an unknown login', async () => {
    expect((await cli(['reset-password', '--login', 'boss', '--password', 'brand-new-pass'], d.env)).code).toBe(0);
    const unknown = await cli(['reset-password', '--login', 'nobody'], d.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No user "nobody"/);
  });

  it('audit verify passes on an intact log and exits 1 after tampering', async () => {
    const ok = await cli(['audit', 'verify'], d.env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/default: \d+ entries, chain intact/);
    const db = await openDatabase(process.env.DATABASE_URL ? { kind: 'postgres', url: process.env.DATABASE_URL, max: 1 } : { kind: 'pglite', dataDir: d.env.TB_DATA_DIR! });
    const log = sql.table(`${d.env.TB_SCHEMA}_ws_default.audit_log`);
    await sql`alter table ${log} disable trigger audit_log_append_only`.execute(db.kysely);
    await sql`update ${log} set action = 'nothing.happened' where seq = 1`.execute(db.kysely);
    await db.close();
    const bad = await cli(['audit', 'verify'], d.env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/seq 1: edited/);
  });
});

describe('threadbase start', () => {
  const d = deployment();
  afterAll(() => d.cleanup());

  it('prints where to log in and a generated admin password on first start only', async () => {
    const first = await startServer(d.env);
    expect(first.stdout()).toMatch(/Log in as:\s+admin/);
    expect(first.stdout()).toMatch(/Password:\s+\S{19}\s+\(shown only this once/);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    await stop(first.child);
    const second = await startServer(d.env);
    expect(second.stdout()).not.toMatch(/Password:/);
    await stop(second.child);
  });

  it.runIf(!process.env.DATABASE_URL)('a second process on the same PGlite folder is refused', async () => {
    const first = await startServer(d.env);
    const second = await cli(['start'], d.env);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/in use by process/);
    await stop(first.child);
  });
});

describe.runIf(process.env.DATABASE_URL)('two processes starting together on one PostgreSQL', () => {
  const d = deployment();
  afterAll(() => d.cleanup());

  it('migrate and seed once, and both serve', async () => {
    const [a, b] = await Promise.all([startServer(d.env), startServer(d.env)]);
    const printed = [a, b].filter((s) => /Password:\s+\S{19}/.test(s.stdout()));
    expect(printed).toHaveLength(1);
    for (const s of [a, b]) expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    await Promise.all([stop(a.child), stop(b.child)]);
  });
});

describe('a process killed during start-up', () => {
  const d = deployment();
  afterAll(() => d.cleanup());
  const password = 'admin-pass-after-crash';
  beforeAll(() => {
    d.env.TB_ADMIN_PASSWORD = password;
  });

  it('restarts cleanly, whenever the kill lands', async () => {
    for (const delay of [150, 500, 900, 1400, 2000]) {
      const child = track(spawn(process.execPath, [main, 'start'], { env: d.env, stdio: 'ignore' }));
      await new Promise((r) => setTimeout(r, delay));
      await stop(child, 'SIGKILL');
    }
    const { child, url } = await startServer(d.env);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'admin', password }) });
    expect(login.status).toBe(200);
    await stop(child);
    const verify = await cli(['audit', 'verify'], d.env);
    expect(verify.code).toBe(0);
  });
});
