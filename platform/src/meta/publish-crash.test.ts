import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetaDocument } from '../contracts/meta.ts';
import { openDatabase } from '../db/open-database.ts';
import { columnsOf } from '../schema/columns.ts';
import { callServer, deployment, killAll, startServer, stop } from '../testing/processes.ts';
import { field, label } from '../testing/meta-builders.ts';

const d = deployment();
const PASSWORD = 'crash-password-1';
d.env.TB_ADMIN_PASSWORD = PASSWORD;
afterAll(async () => {
  await killAll();
  await d.cleanup();
});

const item = (extra: Record<string, unknown>[], counter: Record<string, unknown>) => ({
  objects: [{ name: 'item', label: label('Item'), pluralLabel: label('Items'), recordName: 'title', fields: [field('title', 'text'), counter, ...extra] }],
});

const api = callServer;

/** Opens the database the server left behind and checks the published metadata against the real columns. */
async function publishedMatchesTables(): Promise<{ version: number; columns: string[] }> {
  const db = await openDatabase(d.env.DATABASE_URL ? { kind: 'postgres', url: d.env.DATABASE_URL, max: 1 } : { kind: 'pglite', dataDir: d.env.TB_DATA_DIR!, thread: 'main' });
  try {
    const system = `${d.env.TB_SCHEMA}_ws_default`;
    const data = `${d.env.TB_SCHEMA}_wd_default`;
    const latest = await sql<{ version: number; document: MetaDocument }>`select version, document from ${sql.table(`${system}.meta_versions`)} order by version desc limit 1`.execute(db.kysely);
    const { version, document } = latest.rows[0]!;
    const actual = await sql<{ name: string; type: string }>`
      select a.attname as name, format_type(a.atttypid, a.atttypmod) as type from pg_attribute a
      where a.attrelid = ${`${data}.item`}::regclass and a.attnum > 0 and not a.attisdropped`.execute(db.kysely);
    const types = new Map(actual.rows.map((r) => [r.name, r.type.replace(/\s/g, '')]));
    for (const f of document.objects[0]!.fields) {
      for (const column of columnsOf(f)) expect(types.get(column.name), `${column.name} in version ${version}`).toBe(column.typeKey.replace(/\s|generatedbydefaultasidentity/g, ''));
    }
    return { version, columns: [...types.keys()] };
  } finally {
    await db.close();
  }
}

describe('a process killed during a publish', () => {
  it('restarts with metadata and tables agreeing, whenever the kill lands', { timeout: 240_000 }, async () => {
    let server = await startServer(d.env);
    let token = (await api(server.url, null, 'POST', '/api/v1/auth/login', { login: 'admin', password: PASSWORD })).body.token;
    expect((await api(server.url, token, 'PUT', '/api/v1/meta/draft', item([], field('counter', 'integer')))).status).toBe(200);
    expect((await api(server.url, token, 'POST', '/api/v1/meta/publish')).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      const rows = Array.from({ length: 500 }, (_, j) => ({ title: `row ${i}-${j}`, counter: j }));
      const bulk = await api(server.url, token, 'POST', '/api/v1/objects/item/records/bulk', { create: rows });
      expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
    }
    let expectedFields: Record<string, unknown>[] = [];
    for (const [round, delay] of [0, 5, 15, 40, 120, 400].entries()) {
      const counter = round % 2 ? field('counter', 'integer') : field('counter', 'decimal', { precision: 14, scale: 2 });
      const extra = field(`extra_${round}`, 'text', { unique: true });
      expect((await api(server.url, token, 'PUT', '/api/v1/meta/draft', item([...expectedFields, extra], counter))).status).toBe(200);
      void api(server.url, token, 'POST', '/api/v1/meta/publish').catch(() => undefined);
      await new Promise((r) => setTimeout(r, delay));
      await stop(server.child, 'SIGKILL');
      const state = await publishedMatchesTables();
      if (state.columns.includes(`extra_${round}`)) expectedFields = [...expectedFields, extra];
      server = await startServer(d.env);
      token = (await api(server.url, null, 'POST', '/api/v1/auth/login', { login: 'admin', password: PASSWORD })).body.token;
      expect((await api(server.url, null, 'GET', '/readyz')).status).toBe(200);
      expect((await api(server.url, token, 'GET', '/api/v1/objects/item/records?count=true&limit=1')).body.total).toBe(2000);
      await api(server.url, token, 'DELETE', '/api/v1/meta/draft');
    }
    await stop(server.child);
  });
});
