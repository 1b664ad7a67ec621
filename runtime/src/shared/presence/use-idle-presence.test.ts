import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import { useIdlePresence } from './use-idle-presence.ts';

const { socket, session } = vi.hoisted(() => ({
  session: { user: { id: 'me' } as { id: string } | null },
  socket: {
    connected: true,
    sent: [] as string[],
    onConnect: null as (() => void) | null,
    emit(_event: string, payload: { status: string }) {
      this.sent.push(payload.status);
    },
    on(_event: string, handler: () => void) {
      this.onConnect = handler;
    },
    off() {
      this.onConnect = null;
    },
  },
}));
vi.mock('../api/realtime.ts', () => ({ realtimeSocket: () => socket }));
vi.mock('../stores/session.ts', () => ({ useSessionStore: () => session }));

const IDLE_MS = 60_000;
let page: EventTarget & { visibilityState: DocumentVisibilityState };
let scope: ReturnType<typeof effectScope>;

function setVisibility(state: DocumentVisibilityState): void {
  page.visibilityState = state;
  page.dispatchEvent(new Event('visibilitychange'));
}

beforeEach(() => {
  vi.useFakeTimers();
  page = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
  vi.stubGlobal('window', new EventTarget());
  vi.stubGlobal('document', page);
  socket.sent = [];
  socket.connected = true;
  scope = effectScope();
  scope.run(() => useIdlePresence({ idleMs: IDLE_MS }));
});
afterEach(() => {
  scope.stop();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the tab’s presence', () => {
  it('says away after a while without input, and online at the next input', () => {
    vi.advanceTimersByTime(IDLE_MS - 1);
    expect(socket.sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(socket.sent).toEqual(['away']);
    window.dispatchEvent(new Event('keydown'));
    expect(socket.sent).toEqual(['away', 'online']);
  });

  it('counts any input as use: the idle time starts again from the last one', () => {
    vi.advanceTimersByTime(IDLE_MS / 2);
    window.dispatchEvent(new Event('pointermove'));
    vi.advanceTimersByTime(IDLE_MS - 1);
    expect(socket.sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(socket.sent).toEqual(['away']);
  });

  it('says away at once when the tab is hidden, and online when it is shown again', () => {
    setVisibility('hidden');
    expect(socket.sent).toEqual(['away']);
    setVisibility('visible');
    expect(socket.sent).toEqual(['away', 'online']);
  });

  it('says away again after a reconnect, since a new connection counts as online', () => {
    setVisibility('hidden');
    socket.onConnect!();
    expect(socket.sent).toEqual(['away', 'away']);
  });

  it('says nothing while disconnected', () => {
    socket.connected = false;
    setVisibility('hidden');
    expect(socket.sent).toEqual([]);
  });
});
