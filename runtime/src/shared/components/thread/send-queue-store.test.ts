import { describe, expect, it } from 'vitest';
import { createQueueStore } from './send-queue-store.ts';

const message = { clientId: 'c1', body: '你好', replyTo: null, failed: false, createdAt: '2026-12-01T08:00:00.000Z' };

function memory() {
  const map = new Map<string, string>();
  return { map, storage: { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) } };
}

describe('createQueueStore', () => {
  it('keeps each person’s unsent messages per thread, and drops the entry once nothing is left', () => {
    const { map, storage } = memory();
    const mine = createQueueStore(storage, 'u1');
    mine.save('t1', [message]);
    expect(mine.load('t1')).toEqual([{ ...message, error: null }]);
    expect(mine.load('t2')).toEqual([]);
    expect(createQueueStore(storage, 'u2').load('t1')).toEqual([]);
    mine.save('t1', []);
    expect(map.size).toBe(0);
  });

  it('keeps only what is needed to send again, not what the screen shows', () => {
    const { map, storage } = memory();
    createQueueStore(storage, 'u1').save('t1', [{ ...message, waiting: true } as typeof message]);
    expect(JSON.parse([...map.values()][0]!)).toEqual([{ ...message, error: null }]);
  });

  it('reads a damaged entry as empty and survives a storage that refuses to write', () => {
    const { map, storage } = memory();
    map.set('tb.unsent:u1:t1', '{not json');
    map.set('tb.unsent:u1:t2', JSON.stringify([{ nonsense: true }, message]));
    const store = createQueueStore(storage, 'u1');
    expect(store.load('t1')).toEqual([]);
    expect(store.load('t2')).toEqual([message]);

    const full = createQueueStore({ ...storage, setItem: () => { throw new DOMException('full', 'QuotaExceededError'); } }, 'u1');
    expect(() => full.save('t3', [message])).not.toThrow();
    expect(createQueueStore(null, 'u1').load('t1')).toEqual([]);
  });
});
