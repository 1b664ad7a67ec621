import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick, reactive } from 'vue';
import { presenceApi } from './presence-api.ts';
import { usePresenceStore } from './presence-store.ts';

type Handler = (...args: never[]) => void;
const { session, socket } = vi.hoisted(() => {
  const handlers = new Map<string, Set<Handler>>();
  return {
    session: { user: null as { id: string } | null },
    socket: {
      handlers,
      on: (event: string, handler: Handler) => void (handlers.get(event) ?? handlers.set(event, new Set()).get(event)!).add(handler),
      off: (event: string, handler: Handler) => void handlers.get(event)?.delete(handler),
      fire: (event: string, ...args: unknown[]) => handlers.get(event)?.forEach((h) => (h as (...a: unknown[]) => void)(...args)),
    },
  };
});
const state = reactive(session);

vi.mock('./presence-api.ts', () => ({ PRESENCE_BATCH: 200, presenceApi: { of: vi.fn() } }));
vi.mock('../api/realtime.ts', () => ({ realtimeSocket: () => socket }));
vi.mock('../stores/session.ts', () => ({ useSessionStore: () => state }));

const of = vi.mocked(presenceApi.of);
/** Answers every asked id with the status `statuses` has for it, offline otherwise. */
const answerFrom = (statuses: Record<string, 'online' | 'away' | 'offline'>) =>
  of.mockImplementation(async (ids) => ({ items: ids.map((userId) => ({ userId, status: statuses[userId] ?? 'offline' })) }));

beforeEach(() => {
  setActivePinia(createPinia());
  of.mockReset();
  socket.handlers.clear();
  state.user = { id: 'me' };
});

describe('the presence store', () => {
  it('asks for the ids wanted in one tick in one request, and each id only once', async () => {
    answerFrom({ a: 'online', b: 'away' });
    const presence = usePresenceStore();
    await Promise.all([presence.ensure(['a', null, 'a']), presence.ensure(['b', 'c'])]);
    expect(of).toHaveBeenCalledTimes(1);
    expect([...of.mock.calls[0]![0]].sort()).toEqual(['a', 'b', 'c']);
    expect(['a', 'b', 'c', 'unknown'].map(presence.statusOf)).toEqual(['online', 'away', 'offline', null]);
    await presence.ensure(['a', 'b']);
    expect(of).toHaveBeenCalledTimes(1);
  });

  it('splits more ids than the server takes at once into several requests', async () => {
    answerFrom({});
    const ids = Array.from({ length: 450 }, (_, i) => `u${i}`);
    await usePresenceStore().ensure(ids);
    expect(of.mock.calls.map((call) => call[0].length)).toEqual([200, 200, 50]);
  });

  it('follows the socket’s presence events for the people it shows', async () => {
    answerFrom({ a: 'offline' });
    const presence = usePresenceStore();
    await presence.ensure(['a']);
    socket.fire('presence', { userId: 'a', status: 'online' });
    socket.fire('presence', { userId: 'stranger', status: 'online' });
    expect(presence.statusOf('a')).toBe('online');
    // Nobody on screen asked for her: she is not kept.
    expect(presence.byId.has('stranger')).toBe(false);
    socket.fire('presence', { userId: 'a', status: 'away' });
    expect(presence.statusOf('a')).toBe('away');
  });

  it('lets an event heard while a request is under way win over the older answer', async () => {
    let answer!: () => void;
    of.mockImplementation((ids) => new Promise((resolve) => (answer = () => resolve({ items: ids.map((userId) => ({ userId, status: 'offline' as const })) }))));
    const presence = usePresenceStore();
    presence.remember('a', 'offline');
    const asked = presence.ensure(['b']);
    socket.fire('connect');
    await Promise.resolve();
    socket.fire('presence', { userId: 'a', status: 'online' });
    answer();
    await asked;
    await vi.waitFor(() => expect(presence.statusOf('b')).toBe('offline'));
    expect(presence.statusOf('a')).toBe('online');
  });

  it('reads everyone it shows again after the socket reconnects', async () => {
    answerFrom({ a: 'online' });
    const presence = usePresenceStore();
    presence.remember('b', 'online');
    await presence.ensure(['a']);
    answerFrom({ a: 'offline', b: 'away' });
    socket.fire('connect');
    await vi.waitFor(() => expect(presence.statusOf('b')).toBe('away'));
    expect(presence.statusOf('a')).toBe('offline');
    expect([...of.mock.calls.at(-1)![0]].sort()).toEqual(['a', 'b']);
  });

  it('keeps a dot as it was when a request fails', async () => {
    of.mockRejectedValueOnce(new Error('offline'));
    const presence = usePresenceStore();
    await presence.ensure(['a']);
    expect(presence.statusOf('a')).toBeNull();
  });

  it('forgets everything and stops listening when she logs out', async () => {
    answerFrom({ a: 'online' });
    const presence = usePresenceStore();
    await presence.ensure(['a']);
    state.user = null;
    await nextTick();
    expect(presence.byId.size).toBe(0);
    socket.fire('presence', { userId: 'a', status: 'online' });
    expect(presence.statusOf('a')).toBeNull();
  });
});
