import { randomUUID } from 'node:crypto';
import { ok, type AccessWorld } from '../access/access-fixture.ts';
import { systemCtx } from '../core/context.ts';
import type { Notification } from '../contracts/index.ts';
import type { ApiClient } from '../testing/index.ts';

/** Helpers over the access tests' sales organisation (see access-fixture.ts) for notification tests. */
export function notificationHelpers(world: () => AccessWorld) {
  /** The consumer runs after commit: tests wait for the outbox to be idle, never for a fixed time. */
  const settle = () => world().t.platform.outbox.idle();
  const send = async (client: ApiClient, threadId: string, body: string, extra: Record<string, unknown> = {}) => {
    const message = ok(await client.post(`/api/v1/threads/${threadId}/messages`, { clientId: randomUUID(), body, ...extra }), 201);
    await settle();
    return message as { id: string; seq: number };
  };
  const group = async (owner: ApiClient, memberIds: string[], kind: 'group' | 'announcement' = 'group') =>
    ok(await owner.post('/api/v1/threads', { kind, title: `${kind} ${randomUUID().slice(0, 8)}`, memberIds }), 201).id as string;
  const direct = async (from: ApiClient, to: string) => ok(await from.post('/api/v1/threads/direct', { userId: to })).id as string;
  /** The client's notifications, of one thread when named, newest first. */
  const notifications = async (client: ApiClient, threadId?: string): Promise<Notification[]> =>
    (ok(await client.get('/api/v1/notifications?limit=100')).items as Notification[]).filter((n) => !threadId || n.thread.id === threadId);
  const badge = async (client: ApiClient) => ok(await client.get('/api/v1/notifications/badge')).unread as number;
  const setLevel = async (client: ApiClient, threadId: string, level: string) => ok(await client.request('PUT', `/api/v1/threads/${threadId}/notifications`, { body: { level } }));
  /** What is stored, whatever the lists show: "gets nothing" means no row at all. */
  const stored = (userId: string, threadId: string) => {
    const w = world();
    return systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!)
      .db.selectFrom('notifications')
      .select(['id', 'kind', 'count', 'first_seq', 'last_seq', 'read_at'])
      .where('user_id', '=', userId)
      .where('thread_id', '=', threadId)
      .orderBy('id')
      .execute();
  };
  return { settle, send, group, direct, notifications, badge, setLevel, stored };
}
