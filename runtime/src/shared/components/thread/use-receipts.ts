import type { Message } from '@threadbase/platform/contracts';
import { shallowRef } from 'vue';
import { threadsApi, type Receipts } from '../../api/threads-api.ts';
import { applyReceipt } from './timeline.ts';

/** How many of one's latest messages show "n/m read": older ones are settled. */
const TRACKED = 20;

/**
 * Read receipts of the person's own messages ("3/5 read"). Loaded once per message, then moved by the
 * thread's `receipt` events without asking again.
 */
export function useReceipts(threadId: () => string | null, me: () => string) {
  const receipts = shallowRef(new Map<string, Receipts>());
  const asked = new Set<string>();
  /** The furthest read mark each reader was seen to reach: an answer asked for before her mark moved is brought up to it. */
  const marks = new Map<string, number>();

  return { receipts, track, onReceipt, reset };

  /** Loads receipts of own messages not asked about yet, in one request. */
  async function track(messages: readonly Message[]): Promise<void> {
    const id = threadId();
    if (!id) return;
    const mine = messages.filter((m) => m.kind === 'user' && m.authorId === me() && !m.recalled).slice(-TRACKED);
    const wanted = mine.filter((m) => !asked.has(m.id));
    if (wanted.length === 0) return;
    for (const m of wanted) asked.add(m.id);
    let answers: Receipts[];
    try {
      answers = (await threadsApi.receipts(id, wanted.map((m) => m.id))).items;
    } catch {
      for (const m of wanted) asked.delete(m.id);
      return;
    }
    if (id !== threadId()) return;
    let next = new Map(receipts.value);
    for (const answer of answers) next.set(answer.messageId, answer);
    for (const [userId, seq] of marks) next = applyReceipt(next, userId, seq);
    receipts.value = next;
  }

  function onReceipt(userId: string, seq: number): void {
    if (userId === me()) return;
    marks.set(userId, Math.max(seq, marks.get(userId) ?? 0));
    receipts.value = applyReceipt(receipts.value, userId, seq);
  }

  function reset(): void {
    receipts.value = new Map();
    asked.clear();
    marks.clear();
  }
}
