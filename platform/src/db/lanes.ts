import { AsyncLocalStorage } from 'node:async_hooks';

const urgentLane = new AsyncLocalStorage<true>();

/**
 * Runs `work` in the urgent lane. On the embedded database every statement queues for its one
 * connection; the urgent lane's statements go before ordinary ones already waiting, so a chat message
 * waits for the statement running now, not for a queue of report queries. A running statement is never
 * interrupted. On PostgreSQL each request has connections of its own, and this changes nothing.
 */
export const urgently = <T>(work: () => Promise<T>): Promise<T> => urgentLane.run(true, work);

/** Whether the caller is in the urgent lane (work done for it later, by someone else, can go there too). */
export const isUrgent = (): boolean => urgentLane.getStore() === true;

/** Runs `work` in the ordinary lane, whichever lane its caller was in (background work it starts). */
export const ordinarily = <T>(work: () => Promise<T>): Promise<T> => urgentLane.exit(work);

/**
 * The embedded database's one connection, handed over to waiters of the urgent lane first, then to the
 * others, each lane in arrival order. Urgent work is short and rare next to what can wait, so the
 * ordinary lane is delayed, never starved.
 */
export class LanedLock {
  #held = false;
  #urgent: (() => void)[] = [];
  #ordinary: (() => void)[] = [];

  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => (urgentLane.getStore() ? this.#urgent : this.#ordinary).push(resolve));
  }

  release(): void {
    const next = this.#urgent.shift() ?? this.#ordinary.shift();
    if (next) next();
    else this.#held = false;
  }
}
