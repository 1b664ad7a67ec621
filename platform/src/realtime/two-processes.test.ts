import { io as connect } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { callServer, deployment, killAll, startServer } from '../testing/processes.ts';

const d = deployment();
const PASSWORD = 'realtime-password-1';
d.env.TB_ADMIN_PASSWORD = PASSWORD;
afterAll(async () => {
  await killAll();
  await d.cleanup();
});

// Several processes share one database only on PostgreSQL; PGlite is one process by design.
describe.skipIf(!process.env.DATABASE_URL)('two platform processes on one PostgreSQL', () => {
  it('deliver a message sent through process B to a socket connected to process A', { timeout: 120_000 }, async () => {
    const a = await startServer(d.env);
    const b = await startServer(d.env);
    const token = (await callServer(a.url, null, 'POST', '/api/v1/auth/login', { login: 'admin', password: PASSWORD })).body.token as string;
    const group = (await callServer(a.url, token, 'POST', '/api/v1/threads', { title: 'cluster' })).body;
    const socket = connect(a.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      expect(await socket.timeout(5000).emitWithAck('thread:join', { threadId: group.id })).toMatchObject({ ok: true });
      const received = new Promise<{ body: string; seq: number }>((resolve) => socket.on('message:new', resolve));
      const sent = await callServer(b.url, token, 'POST', `/api/v1/threads/${group.id}/messages`, { clientId: 'via-b', body: '从 B 发出' });
      expect(sent.status).toBe(201);
      expect(await received).toMatchObject({ body: '从 B 发出', seq: sent.body.seq });
      // Typing is emitted by the process its sender is connected to: B's emit can only reach A through the adapter.
      const onB = connect(b.url, { auth: { token }, transports: ['websocket'], reconnection: false });
      try {
        await new Promise<void>((resolve, reject) => {
          onB.once('connect', resolve);
          onB.once('connect_error', reject);
        });
        expect(await onB.timeout(5000).emitWithAck('thread:join', { threadId: group.id })).toMatchObject({ ok: true });
        const typing = new Promise((resolve) => socket.on('typing', resolve));
        expect(await onB.timeout(5000).emitWithAck('typing', { threadId: group.id })).toEqual({ ok: true });
        expect(await typing).toMatchObject({ threadId: group.id });
      } finally {
        onB.disconnect();
      }
    } finally {
      socket.disconnect();
    }
  });
});
