import { onBeforeUnmount, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useSessionStore } from '../stores/session.ts';
import { realtimeSocket, type RealtimeSocket, type ServerEvents } from './realtime.ts';

/** How many screens of this tab watch each object: the room is left only when the last one goes. */
const watchers = new Map<string, number>();

function start(socket: RealtimeSocket, object: string): void {
  watchers.set(object, (watchers.get(object) ?? 0) + 1);
  if (watchers.get(object) === 1 && socket.connected) socket.emit('object:watch', { object }, () => {});
}

function stop(socket: RealtimeSocket, object: string): void {
  const left = (watchers.get(object) ?? 1) - 1;
  if (left > 0) return void watchers.set(object, left);
  watchers.delete(object);
  if (socket.connected) socket.emit('object:unwatch', { object }, () => {});
}

/**
 * Calls `changed` when records of the object are created, changed or deleted by anyone (the socket's
 * `records:changed`, at most a few times a second). Watches again after a reconnect: rooms are forgotten.
 */
export function useObjectChanges(object: MaybeRefOrGetter<string | null>, changed: () => void): void {
  const userId = useSessionStore().user?.id;
  if (!userId) return;
  const socket = realtimeSocket(userId);
  let watching: string | null = null;

  const rewatch = () => watching && socket.emit('object:watch', { object: watching }, () => {});
  const onChanged: ServerEvents['records:changed'] = (event) => event.object === watching && changed();
  socket.on('connect', rewatch);
  socket.on('records:changed', onChanged);
  watch(
    () => toValue(object),
    (next) => {
      if (watching) stop(socket, watching);
      watching = next;
      if (next) start(socket, next);
    },
    { immediate: true },
  );
  onBeforeUnmount(() => {
    if (watching) stop(socket, watching);
    socket.off('connect', rewatch);
    socket.off('records:changed', onChanged);
  });
}
