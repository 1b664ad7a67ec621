import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.ts';
import { cli, cliMain as main, deployment, killAll, startServer, stop, track } from '../testing/processes.ts';
import { field, objectDef } from '../testing/meta-builders.ts';

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
    [['purge', 'everything'], 2, /Unexpected "everything": name what to purge with --object or --field/],
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

describe('threadbase purge', () => {
  const d = deployment();
  d.env.TB_ADMIN_PASSWORD = 'purge-admin-pass-1';
  afterAll(() => d.cleanup());

  /** Version 1 has customer.tier holding one value; version 2 archives it. */
  beforeAll(async () => {
    const server = await startServer(d.env);
    const call = async (method: string, path: string, token: string | null, body: unknown) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) };
      const res = await fetch(server.url + path, { method, headers, body: JSON.stringify(body) });
      expect(res.status, path).toBe(200);
      return (await res.json()) as { token: string };
    };
    const { token } = await call('POST', '/api/v1/auth/login', null, { login: 'admin', password: d.env.TB_ADMIN_PASSWORD });
    for (const fields of [[field('name', 'text'), field('tier', 'text')], [field('name', 'text')]]) {
      await call('PUT', '/api/v1/meta/draft', token, { objects: [objectDef('customer', 'name', fields)] });
      await call('POST', '/api/v1/meta/publish', token, {});
      if (fields.length === 2) await call('POST', '/api/v1/objects/customer/records/bulk', token, { create: [{ name: 'Acme', tier: 'gold' }, { name: 'Globex' }] });
    }
    await stop(server.child);
  });

  it('lists archived fields with their data by default and changes nothing', async () => {
    const res = await cli(['purge'], d.env);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/field\s+customer\.tier\s+1 value in 2 rows/);
    expect(res.stdout).toMatch(/Dry run: nothing was changed/);
  });

  it('refuses a field that is not archived, exiting 2', async () => {
    const res = await cli(['purge', '--field', 'customer.name', '--yes'], d.env);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/Nothing was purged:\n\s+Field customer\.name is not archived\./);
  });

  it('drops them with --yes as a new metadata version, audited', async () => {
    const res = await cli(['purge', '--field', 'customer.tier', '--yes'], d.env);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Dropped in workspace "default":\n\s+field\s+customer\.tier\s+1 value in 2 rows\nPublished as metadata version 3\./);
    expect((await cli(['purge'], d.env)).stdout).toMatch(/Nothing archived to purge in workspace "default"/);
    const verify = await cli(['audit', 'verify'], d.env);
    expect(verify.code).toBe(0);
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
