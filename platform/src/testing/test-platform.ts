import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { startPlatform, type StartedPlatform } from '../boot/start-platform.ts';
import { loadConfig, type Config } from '../config.ts';
import type { DatabaseTarget } from '../db/open-database.ts';
import { OutboxDispatcher } from '../events/index.ts';
import { DiskStore, type FileStore } from '../files/index.ts';
import { jobsSchema } from '../jobs/index.ts';
import { createApp, type App } from '../http/create-app.ts';
import { serveHttp, type RunningServer } from '../server.ts';

export const TEST_ADMIN_PASSWORD = 'admin-password-1';

export type TestPlatform = {
  platform: StartedPlatform;
  app: App;
  config: Config;
  dialect: 'pglite' | 'postgres';
  close(): Promise<void>;
};

/** The database every test runs on: PostgreSQL when DATABASE_URL is set (as in CI's second pass), else in-memory PGlite. */
export function testTarget(): DatabaseTarget {
  const url = process.env.DATABASE_URL;
  const thread = process.env.TB_PGLITE_THREAD === 'main' ? 'main' : 'worker';
  return url ? { kind: 'postgres', url, max: 4 } : { kind: 'pglite-memory', thread };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    TB_SCHEMA: `t${randomBytes(6).toString('hex')}`,
    TB_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    TB_LOG_LEVEL: 'silent',
    TB_TRUST_PROXY: '1',
    TB_DATA_DIR: '/nonexistent',
    ...(process.env.DATABASE_URL && { DATABASE_URL: process.env.DATABASE_URL }),
    ...overrides,
  });
}

/**
 * A fresh platform per test file: its own schemas on the shared PostgreSQL (dropped on close) or its
 * own in-memory PGlite. Seeded like a first start: `admin` with TEST_ADMIN_PASSWORD and the demo company.
 */
export async function startTestPlatform(options: { env?: Record<string, string>; outbox?: OutboxDispatcher; files?: FileStore } = {}): Promise<TestPlatform> {
  const config = testConfig(options.env);
  const target = testTarget();
  // Uploads go to a folder of the test's own (removed on close) unless the test brings a store.
  const filesDir = options.files ? null : await mkdtemp(path.join(tmpdir(), 'tb-files-'));
  const files = options.files ?? new DiskStore(filesDir!);
  const platform = await startPlatform({ config, target, outbox: options.outbox, files });
  const app = createApp(platform, { spas: false });
  return {
    platform,
    app,
    config,
    dialect: platform.db.dialect,
    async close() {
      await platform.outbox.stop();
      await platform.jobs.stop();
      if (platform.db.dialect === 'postgres') await dropSchemas(platform);
      await platform.stop();
      if (filesDir) await rm(filesDir, { recursive: true, force: true });
    },
  };
}

async function dropSchemas(platform: StartedPlatform): Promise<void> {
  const schemas = [platform.config.schema, jobsSchema(platform.config.schema), ...platform.workspaces.list().flatMap((w) => [w.schemas.system, w.schemas.data])];
  for (const schema of schemas) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(platform.db.kysely);
}

/** A test platform listening on a free port, SPAs included, for browser tests. */
export async function startTestServer(): Promise<TestPlatform & { server: RunningServer; url: string }> {
  const test = await startTestPlatform();
  const server = await serveHttp(test.platform, { port: 0, host: '127.0.0.1' });
  return {
    ...test,
    server,
    url: server.url,
    async close() {
      await server.close();
      await test.close();
    },
  };
}
