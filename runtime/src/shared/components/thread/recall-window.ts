import { shallowRef } from 'vue';
import { threadsApi } from '../../api/threads-api.ts';

/** The workspace's recall window in minutes, read once per page; null until known (or if it could not be read). */
const minutes = shallowRef<number | null>(null);
let asked: Promise<void> | null = null;

export function useRecallWindow() {
  asked ??= threadsApi.settings().then(
    (settings) => void (minutes.value = settings.recallMinutes),
    () => void (asked = null),
  );
  return { minutes, canRecall: (createdAt: string, now = Date.now()) => mayRecall(minutes.value, createdAt, now) };
}

/**
 * Whether its author may still recall a message sent at `createdAt`. Unknown settings leave it to the
 * server, which answers RECALL_WINDOW_PASSED if the window has closed; 0 means authors never may.
 */
export function mayRecall(windowMinutes: number | null, createdAt: string, now: number): boolean {
  if (windowMinutes === null) return true;
  return now - new Date(createdAt).getTime() < windowMinutes * 60_000;
}
