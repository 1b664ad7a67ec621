import { computed, onScopeDispose, ref, watch } from 'vue';
import { openedSocket, reconnectNow } from './realtime.ts';

/**
 * What the connection banner says: `offline` (the browser has no network), `reconnecting` (the socket
 * has been down for a moment), `restored` for a short while after either, `none` otherwise.
 */
export type ConnectionNotice = 'none' | 'offline' | 'reconnecting' | 'restored';

/** A socket down for less than this is a blip (a server restart, a page load still connecting): no banner. */
const GRACE_MS = 1500;
const RESTORED_MS = 2500;

/**
 * The tab's connection as a person should hear of it: the browser's network state and the realtime
 * socket, if one is open (the admin app has none; then only the network counts).
 */
export function useConnection(options: { graceMs?: number; restoredMs?: number } = {}) {
  const notice = ref<ConnectionNotice>('none');
  const online = ref(navigator.onLine);
  const connected = ref(true);
  /** Retrying needs a socket; without one there is only the network to wait for. */
  const canRetry = computed(() => openedSocket.value !== null);
  const graceMs = options.graceMs ?? GRACE_MS;
  const restoredMs = options.restoredMs ?? RESTORED_MS;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let restoredTimer: ReturnType<typeof setTimeout> | undefined;

  const onOnline = () => (online.value = navigator.onLine);
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOnline);

  watch(
    openedSocket,
    (socket, _before, onCleanup) => {
      if (!socket) return;
      const update = () => (connected.value = socket.connected);
      update();
      socket.on('connect', update);
      socket.on('disconnect', update);
      onCleanup(() => {
        socket.off('connect', update);
        socket.off('disconnect', update);
      });
    },
    { immediate: true },
  );
  watch([online, connected], evaluate, { immediate: true });

  onScopeDispose(() => {
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOnline);
    clearTimeout(graceTimer);
    clearTimeout(restoredTimer);
  });

  return { notice, canRetry, retry };

  function evaluate(): void {
    if (!online.value) return show('offline');
    if (!connected.value) {
      if (notice.value === 'offline' || notice.value === 'reconnecting') return show('reconnecting');
      graceTimer ??= setTimeout(() => show('reconnecting'), graceMs);
      return;
    }
    clearTimeout(graceTimer);
    graceTimer = undefined;
    if (notice.value === 'offline' || notice.value === 'reconnecting') {
      notice.value = 'restored';
      clearTimeout(restoredTimer);
      restoredTimer = setTimeout(() => notice.value === 'restored' && (notice.value = 'none'), restoredMs);
    }
  }

  function show(next: 'offline' | 'reconnecting'): void {
    clearTimeout(graceTimer);
    graceTimer = undefined;
    clearTimeout(restoredTimer);
    notice.value = next;
  }

  /** "Retry now": connect at once rather than at socket.io's next scheduled attempt. */
  function retry(): void {
    const socket = openedSocket.value;
    if (socket) reconnectNow(socket);
  }
}
