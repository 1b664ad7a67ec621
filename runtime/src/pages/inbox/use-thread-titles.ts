import type { Thread } from '@threadbase/platform/contracts';
import { shallowReactive } from 'vue';
import { useI18n } from 'vue-i18n';
import { recordsApi } from '../../shared/api/records-api.ts';
import { localised } from '../../shared/components/records/field-kinds.ts';
import { formatValue } from '../../shared/components/records/format-value.ts';
import { usePeopleStore } from '../../shared/components/records/people-store.ts';
import { usePublishedMetaStore } from '../../shared/components/records/published-meta-store.ts';
import { counterpartOf } from './thread-display.ts';

/**
 * What a thread is called in the inbox: a direct thread by the other person, a group or channel by its
 * title, a record's thread by the record's name (fetched once per record) after its object's label.
 */
export function useThreadTitles(me: () => string) {
  const { t, locale } = useI18n();
  const people = usePeopleStore();
  const meta = usePublishedMetaStore();
  const recordNames = shallowReactive(new Map<string, string | null>());

  return { titleOf, objectLabelOf, ensure };

  function titleOf(thread: Thread): string {
    const person = counterpartOf(thread, me());
    if (person) return people.nameOf(person) || '…';
    if (thread.kind !== 'record') return thread.title ?? t(`inbox.kind.${thread.kind}`);
    return recordNames.get(key(thread)) || objectLabelOf(thread);
  }

  function objectLabelOf(thread: Thread): string {
    const object = thread.object ? meta.byName.get(thread.object) : undefined;
    return object ? localised(object.label, locale.value) : t('inbox.kind.record');
  }

  /** Fetches the names and people the given threads need and does not know yet. */
  async function ensure(threads: readonly Thread[]): Promise<void> {
    const wantedPeople = threads.map((thread) => counterpartOf(thread, me())).concat(threads.map((thread) => thread.lastMessage?.authorId ?? null));
    const records = threads.filter((thread) => thread.kind === 'record' && thread.object && thread.recordId && !recordNames.has(key(thread)));
    await Promise.all([people.ensure(wantedPeople), meta.load().catch(() => {}), ...records.map(recordName)]);
  }

  async function recordName(thread: Thread): Promise<void> {
    recordNames.set(key(thread), null);
    try {
      const object = await meta.object(thread.object!);
      const field = object?.fields.find((f) => f.name === object.recordName);
      if (!field) return;
      const record = await recordsApi.get(thread.object!, thread.recordId!);
      recordNames.set(key(thread), formatValue(field, record[field.name], { locale: locale.value, yes: '', no: '' }) || null);
    } catch {
      // Left null, not asked again: the object's label stands in for the name.
    }
  }
}

const key = (thread: Thread) => `${thread.object}:${thread.recordId}`;
