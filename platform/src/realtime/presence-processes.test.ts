import { sql } from 'kysely';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.ts';
import { workspaceSchemas } from '../db/schema-names.ts';
import { callServer, deployment, killAll, startServer, stop } from '../testing/processes.ts';
import { until } from './socket-testing.ts';

const d = deployment();
const PASSWORD = 'presence-password-1';
d.env.TB_ADMIN_PASSWORD = PASSWORD;
const sockets: Socket[] = [];
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await killAll();
  await d.cleanup();
});

async function connected(url: string, token: string): Promise<Socket> {
  const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

// Several processes share one database only on PostgreSQL; PGlite is one process by design.
describe.skipIf(!process.env.DATABASE_URL)('presence across platform processes on one PostgreSQL', () => {
  it('is seen from every process, and a killed or stopped process takes its users offline', { timeout: 120_000 }, async () => {
    const a = await startServer(d.env);
    const b = await startServer(d.env);
    const admin = (await callServer(a.url, null, 'POST', '/api/v1/auth/login', { login: 'admin', password: PASSWORD })).body.token as string;
    const pia = (await callServer(a.url, admin, 'POST', '/api/v1/org/users', { login: 'pia', displayName: 'Pia', password: PASSWORD })).body.id as string;
    const piaToken = (await callServer(b.url, null, 'POST', '/api/v1/auth/login', { login: 'pia', password: PASSWORD })).body.token as string;
    const watcher = await connected(a.url, admin);
    const seen: string[] = [];
    watcher.on('presence', (p: { userId: string; status: string }) => p.userId === pia && seen.push(p.status));
    const presenceOnA = async () => (await callServer(a.url, admin, 'GET', `/api/v1/presence?userIds=${pia}`)).body.items[0].status as string;

    // Pia on process B: A's socket hears it through the adapter, A's directory reads B's row.
    const onB = await connected(b.url, piaToken);
    await until(() => seen.at(-1) === 'online', 'online from B');
    expect(await presenceOnA()).toBe('online');
    expect((await callServer(a.url, admin, 'GET', `/api/v1/org/users/${pia}`)).body.presence).toBe('online');
    expect(await onB.timeout(5000).emitWithAck('presence:set', { status: 'away' })).toEqual({ ok: true });
    await until(() => seen.at(-1) === 'away', 'away from B');

    // B killed: its row stays until it is too old (back-dated here instead of waiting 90 s).
    await stop(b.child, 'SIGKILL');
    expect(await presenceOnA()).toBe('away');
    const db = await openDatabase({ kind: 'postgres', url: process.env.DATABASE_URL!, max: 1 });
    try {
      const sessions = sql.table(`${workspaceSchemas(d.env.TB_SCHEMA!, 'default').system}.presence_sessions`);
      await sql`update ${sessions} set seen_at = now() - interval '2 minutes' where user_id = ${pia}`.execute(db.kysely);
    } finally {
      await db.close();
    }
    expect(await presenceOnA()).toBe('offline');

    // Pia back on process C, which is then stopped: it says goodbye on its way out.
    const c = await startServer(d.env);
    await connected(c.url, piaToken);
    await until(() => seen.at(-1) === 'online', 'online from C');
    await stop(c.child);
    await until(() => seen.at(-1) === 'offline', 'offline when C stops');
    expect(await presenceOnA()).toBe('offline');
    expect(seen).toEqual(['online', 'away', 'online', 'offline']);
  });
});
