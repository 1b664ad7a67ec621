import type { Message } from '@threadbase/platform/contracts';
import { isCard } from './timeline.ts';

/** What a record's thread shows: everything, what people wrote (with cards to act on), or the record's changes. */
export type ThreadFilter = 'all' | 'comments' | 'changes';
export const THREAD_FILTERS: readonly ThreadFilter[] = ['all', 'comments', 'changes'];

export function filterMessages(messages: readonly Message[], filter: ThreadFilter): readonly Message[] {
  if (filter === 'all') return messages;
  const comment = (m: Message) => m.kind === 'user' || isCard(m);
  return messages.filter((m) => comment(m) === (filter === 'comments'));
}
