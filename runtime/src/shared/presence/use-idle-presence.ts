import { onScopeDispose, watch } from 'vue';
import { realtimeSocket, type RealtimeSocket } from '../api/realtime.ts';
import { useSessionStore } from '../stores/session.ts';

/** No input for this long and the tab counts as idle (docs/threads.md, "Presence"). */
const IDLE_MS = 5 * 60_000;
const ACTIVITY = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Tells the server whether this tab is in use: `away` after a while without input or when the tab is
 * hidden, `online` at the next input. A new connection counts as online, so after a reconnect an idle
 * tab says `away` again.
 */
export function useIdlePresence(options: { idleMs?: number } = {}) {
  const idleMs = options.idleMs ?? IDLE_MS;
  const session = useSessionStore();
  let socket: RealtimeSocket | null = null;
  let away = false;
  let lastInput = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;

  for (const event of ACTIVITY) window.addEventListener(event, onInput, { passive: true, capture: true });
  document.addEventListener('visibilitychange', onVisibility);
  watch(() => session.user?.id ?? null, (userId) => {
    socket?.off('connect', onConnect);
    socket = userId ? realtimeSocket(userId) : null;
    socket?.on('connect', onConnect);
    away = false;
    onInput();
  }, { immediate: true });

  onScopeDispose(() => {
    for (const event of ACTIVITY) window.removeEventListener(event, onInput, { capture: true });
    document.removeEventListener('visibilitychange', onVisibility);
    socket?.off('connect', onConnect);
    clearTimeout(timer);
  });

  function onInput(): void {
    if (document.visibilityState === 'hidden') return;
    lastInput = Date.now();
    // Moving the mouse fires often: the timer is set once and checks the last input when it fires.
    timer ??= setTimeout(check, idleMs);
    if (away) say(false);
  }

  function check(): void {
    timer = undefined;
    const left = lastInput + idleMs - Date.now();
    if (left > 0) timer = setTimeout(check, left);
    else say(true);
  }

  function onVisibility(): void {
    if (document.visibilityState === 'hidden') say(true);
    else onInput();
  }

  function onConnect(): void {
    if (away) send('away');
  }

  function say(next: boolean): void {
    if (away === next) return;
    away = next;
    send(next ? 'away' : 'online');
  }

  function send(status: 'online' | 'away'): void {
    if (socket?.connected) socket.emit('presence:set', { status }, () => {});
  }
}
