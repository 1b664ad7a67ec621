import type { PendingMessage } from './timeline.ts';

/** What is kept of a message not yet sent: enough to send it again, and why the server refused it if it did. */
export type StoredMessage = PendingMessage & { error?: string | null };

export type QueueStore = {
  load(threadId: string): StoredMessage[];
  save(threadId: string, messages: readonly StoredMessage[]): void;
};

type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const PREFIX = 'tb.unsent';

/**
 * Unsent messages kept in the browser, per person and thread, so a reload or a closed tab loses nothing
 * typed. Each thread is one small entry; a thread with nothing left to send has none.
 */
export function createQueueStore(storage: KeyValue | null, userId: string): QueueStore {
  const key = (threadId: string) => `${PREFIX}:${userId}:${threadId}`;

  return {
    load(threadId) {
      const text = quietly(() => storage?.getItem(key(threadId)) ?? null);
      if (!text) return [];
      try {
        const parsed: unknown = JSON.parse(text);
        return Array.isArray(parsed) ? parsed.filter(isStoredMessage) : [];
      } catch {
        return [];
      }
    },
    save(threadId, messages) {
      // Storage may be full or refused (a private window): the queue still works for this page's life.
      quietly(() => (messages.length ? storage?.setItem(key(threadId), JSON.stringify(messages.map(keep))) : storage?.removeItem(key(threadId))));
    },
  };
}

/** The browser's localStorage, or nothing where it is not available or not allowed. */
export function browserStorage(): KeyValue | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function quietly<T>(action: () => T): T | null {
  try {
    return action();
  } catch {
    return null;
  }
}

function keep(message: StoredMessage): StoredMessage {
  const { clientId, body, replyTo, failed, createdAt, attachments, mentions, error } = message;
  return { clientId, body, replyTo, failed, createdAt, attachments, mentions, error: error ?? null };
}

function isStoredMessage(value: unknown): value is StoredMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m.clientId === 'string' && typeof m.body === 'string' && typeof m.createdAt === 'string';
}
