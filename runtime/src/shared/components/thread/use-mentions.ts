import { ref, shallowRef, type Ref } from 'vue';
import { orgApi } from '../../api/org-api.ts';
import { usePeopleStore, type Person } from '../records/people-store.ts';
import { insertMention, mentionQuery, mentionedIds, type MentionQuery } from './mention-text.ts';

const LIMIT = 8;
const DEBOUNCE_MS = 150;

/**
 * The @ people picker of a composer: typing `@` and letters searches the directory (active people,
 * by name, login or pinyin), arrows move, Enter or Tab picks, Escape closes. A picked person goes in as
 * `@Name` and is sent in `mentions` while that text is still in the message.
 */
export function useMentions(text: Ref<string>, me: () => string) {
  const query = shallowRef<MentionQuery | null>(null);
  const results = shallowRef<Person[]>([]);
  const active = ref(0);
  const searching = ref(false);
  const people = usePeopleStore();
  const picked = new Map<string, string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  return { query, results, active, searching, update, onKeydown, pick, close, ids, reset };

  /** Called with the caret after every input or caret move. */
  function update(caret: number): void {
    const next = mentionQuery(text.value, caret);
    const changed = next?.query !== query.value?.query || next?.start !== query.value?.start;
    query.value = next;
    if (!next) return close();
    if (changed) search(next.query);
  }

  function search(q: string): void {
    clearTimeout(timer);
    searching.value = true;
    timer = setTimeout(async () => {
      const current = ++asked;
      try {
        const { items } = await orgApi.listUsers({ q: q || undefined, status: 'active', limit: LIMIT + 1 });
        if (current !== asked || !query.value) return;
        for (const person of items) people.remember(person);
        results.value = items.filter((p) => p.id !== me()).slice(0, LIMIT);
        active.value = 0;
      } catch {
        if (current === asked) results.value = [];
      } finally {
        if (current === asked) searching.value = false;
      }
    }, DEBOUNCE_MS);
  }

  /** Handles the picker's keys; answers whether it took the key (the composer then does nothing with it). */
  function onKeydown(event: KeyboardEvent, caret: number): { caret: number } | boolean {
    if (!query.value || event.isComposing) return false;
    if (event.key === 'Escape') {
      close();
      return true;
    }
    const count = results.value.length;
    if (count === 0) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      active.value = (active.value + (event.key === 'ArrowDown' ? 1 : count - 1)) % count;
      return true;
    }
    if (event.key === 'Enter' || event.key === 'Tab') return pick(results.value[active.value]!, caret);
    return false;
  }

  /** Puts `@Name ` in place of the query; answers where the caret goes. */
  function pick(person: Person, caret: number): { caret: number } {
    const at = query.value;
    if (!at) return { caret };
    const next = insertMention(text.value, caret, at.start, person.displayName);
    picked.set(person.id, person.displayName);
    text.value = next.text;
    close();
    return { caret: next.caret };
  }

  function close(): void {
    clearTimeout(timer);
    asked++;
    query.value = null;
    results.value = [];
    searching.value = false;
  }

  function ids(): string[] {
    return mentionedIds(text.value, picked);
  }

  /** After sending: nobody is picked any more. */
  function reset(): void {
    picked.clear();
    close();
  }
}
