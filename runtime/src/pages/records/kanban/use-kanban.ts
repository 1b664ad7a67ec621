import { shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { recordsApi } from '../../../shared/api/records-api.ts';
import { buildColumns, columnFilter, moveCard, replaceCard, undoMove, type KanbanColumn, type SelectField } from './kanban-columns.ts';

export type KanbanRequest = { object: string; field: SelectField; filter?: string; sort: string; expand: string };

const PAGE = 20;
/** A refresh reloads as many cards as a column shows, up to the records API's page limit. */
const MOST = 200;

/**
 * A board of an object's records, one column per option of a single-select field, each column paged by
 * cursor on its own. Moving a card changes the field at once and saves it with the card's version;
 * a refused save puts the card back and hands the error to the caller. `refresh` reloads the cards in
 * place (someone else changed the records); during a move it waits for the move to settle.
 */
export function useKanban(request: MaybeRefOrGetter<KanbanRequest | null>, labels: MaybeRefOrGetter<{ locale: string; none: string }>) {
  const columns = shallowRef<KanbanColumn[]>([]);
  let generation = 0;
  let moving = 0;
  let stale = false;

  watch(() => JSON.stringify(toValue(request)), () => void reload(), { immediate: true });
  // A language change renames the columns without loading the cards again.
  watch(() => toValue(labels), relabel);

  return { columns, reload, refresh, loadMore, move };

  async function reload(): Promise<void> {
    const req = toValue(request);
    const current = ++generation;
    if (!req) return void (columns.value = []);
    const { locale, none } = toValue(labels);
    columns.value = buildColumns(req.field, locale, none);
    await Promise.all(columns.value.map((c) => load(c.key, current, 'first')));
  }

  async function refresh(): Promise<void> {
    if (moving > 0) return void (stale = true);
    if (!toValue(request)) return;
    const current = ++generation;
    await Promise.all(columns.value.map((c) => load(c.key, current, 'refresh')));
  }

  function loadMore(key: string | null): Promise<void> {
    const column = columns.value.find((c) => c.key === key);
    if (!column || column.loading || !column.cursor) return Promise.resolve();
    return load(key, generation, 'more');
  }

  /** Resolves to null when saved, else to the error after the card went back. */
  async function move(id: string, to: string | null): Promise<unknown> {
    const req = toValue(request);
    const moved = req && moveCard(columns.value, id, req.field.name, to);
    if (!req || !moved) return null;
    const current = generation;
    columns.value = moved.columns;
    moving++;
    try {
      const saved = await recordsApi.update(req.object, id, moved.move.record.version, { [req.field.name]: to });
      if (current === generation) columns.value = replaceCard(columns.value, { ...moved.move.record, ...saved });
      return null;
    } catch (error) {
      if (current === generation) columns.value = undoMove(columns.value, moved.move);
      return error;
    } finally {
      if (--moving === 0 && stale) {
        stale = false;
        void refresh();
      }
    }
  }

  /** `first` and `refresh` start the column over (a refresh keeps its cards on screen until the answer); `more` appends. */
  async function load(key: string | null, current: number, mode: 'first' | 'more' | 'refresh'): Promise<void> {
    const req = toValue(request);
    const column = columns.value.find((c) => c.key === key);
    if (!req || !column) return;
    const more = mode === 'more';
    if (mode !== 'refresh') update(key, { loading: true, error: null });
    try {
      const page = await recordsApi.list(req.object, {
        filter: columnFilter(req.filter, req.field.name, key),
        sort: req.sort || undefined,
        limit: mode === 'refresh' ? Math.min(MOST, Math.max(PAGE, column.items.length)) : PAGE,
        cursor: more ? (column.cursor ?? undefined) : undefined,
        expand: req.expand || undefined,
        count: !more,
      });
      if (current !== generation) return;
      const known = columns.value.find((c) => c.key === key)!;
      // A card moved in while this page was on its way must not appear twice.
      const fresh = more ? page.items.filter((r) => !known.items.some((k) => k.id === r.id)) : page.items;
      const items = more ? [...known.items, ...fresh] : fresh;
      update(key, { items, total: more ? known.total : Math.max(page.total ?? 0, items.length), cursor: page.nextCursor, loading: false, error: null });
    } catch (error) {
      if (current === generation) update(key, { loading: false, error });
    }
  }

  function update(key: string | null, patch: Partial<KanbanColumn>): void {
    columns.value = columns.value.map((c) => (c.key === key ? { ...c, ...patch } : c));
  }

  function relabel({ locale, none }: { locale: string; none: string }): void {
    const req = toValue(request);
    if (!req) return;
    const fresh = new Map(buildColumns(req.field, locale, none).map((c) => [c.key, c.label]));
    columns.value = columns.value.map((c) => ({ ...c, label: fresh.get(c.key) ?? c.label }));
  }
}
