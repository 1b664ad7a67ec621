import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick, shallowRef } from 'vue';

/** A socket that connects and drops when told, standing in for the tab's socket.io connection. */
class FakeSocket extends EventTarget {
  connected = false;
  connects = 0;
  on(event: string, handler: () => void) {
    this.addEventListener(event, handler);
  }
  off(event: string, handler: () => void) {
    this.removeEventListener(event, handler);
  }
  set(connected: boolean) {
    this.connected = connected;
    this.dispatchEvent(new Event(connected ? 'connect' : 'disconnect'));
  }
}

const opened = shallowRef<FakeSocket | null>(null);
vi.mock('./realtime.ts', () => ({ openedSocket: opened, reconnectNow: (socket: FakeSocket) => socket.connects++ }));
const { useConnection } = await import('./use-connection.ts');

const network = { onLine: true };

function start() {
  const scope = effectScope();
  const connection = scope.run(() => useConnection({ graceMs: 1500, restoredMs: 2500 }))!;
  return { ...connection, stop: () => scope.stop() };
}

function goOnline(value: boolean) {
  network.onLine = value;
  window.dispatchEvent(new Event(value ? 'online' : 'offline'));
}

describe('useConnection: what the banner says', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('window', new EventTarget());
    vi.stubGlobal('navigator', network);
    network.onLine = true;
    opened.value = null;
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('says nothing while a socket connects or comes back within a moment', async () => {
    const socket = new FakeSocket();
    opened.value = socket;
    const c = start();
    await vi.advanceTimersByTimeAsync(1000);
    socket.set(true);
    await nextTick();
    socket.set(false);
    await vi.advanceTimersByTimeAsync(1400);
    socket.set(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(c.notice.value).toBe('none');
    c.stop();
  });

  it('says it is reconnecting once the socket has been down for a moment, then that it is back, then nothing', async () => {
    const socket = new FakeSocket();
    socket.connected = true;
    opened.value = socket;
    const c = start();
    socket.set(false);
    await vi.advanceTimersByTimeAsync(1500);
    expect(c.notice.value).toBe('reconnecting');
    socket.set(true);
    await nextTick();
    expect(c.notice.value).toBe('restored');
    await vi.advanceTimersByTimeAsync(2500);
    expect(c.notice.value).toBe('none');
    c.stop();
  });

  it('says at once when the browser goes offline, and reconnecting when the network is back before the socket', async () => {
    const socket = new FakeSocket();
    socket.connected = true;
    opened.value = socket;
    const c = start();
    goOnline(false);
    await nextTick();
    expect(c.notice.value).toBe('offline');
    socket.set(false);
    goOnline(true);
    await nextTick();
    expect(c.notice.value).toBe('reconnecting');
    c.retry();
    expect(socket.connects).toBe(1);
    c.stop();
  });

  it('without a socket (the admin app) follows the network only, with nothing to retry', async () => {
    const c = start();
    expect(c.canRetry.value).toBe(false);
    goOnline(false);
    await nextTick();
    expect(c.notice.value).toBe('offline');
    goOnline(true);
    await nextTick();
    expect(c.notice.value).toBe('restored');
    c.stop();
  });
});
