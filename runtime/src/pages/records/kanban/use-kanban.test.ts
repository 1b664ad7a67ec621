import { nextTick } from 'vue';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../shared/api/api-error.ts';
import { recordsApi, type RecordData, type RecordListQuery } from '../../../shared/api/records-api.ts';
import type { SelectField } from './kanban-columns.ts';
import { useKanban } from './use-kanban.ts';

vi.mock('../../../shared/api/records-api.ts', () => ({ recordsApi: { list: vi.fn(), update: vi.fn() } }));

const list = vi.mocked(recordsApi.list);
const update = vi.mocked(recordsApi.update);

const stage = {
  name: 'stage',
  type: 'single_select',
  label: { 'zh-CN': '阶段', en: 'Stage' },
  options: [
    { key: 'lead', label: { 'zh-CN': '线索', en: 'Lead' }, color: '#8f959e' },
    { key: 'won', label: { 'zh-CN': '赢单', en: 'Won' }, color: '#00b42a' },
  ],
} as SelectField;

const record = (id: string, value: string | null, version = 1) => ({ id, stage: value, version }) as unknown as RecordData;
const keyOf = (query: RecordListQuery) => {
  const filter = JSON.parse(query.filter!) as { op: string; value?: string };
  return filter.op === 'is_empty' ? null : filter.value!;
};

/** Lead has 25 records (two pages), won one, none zero. */
function serve(): void {
  list.mockImplementation(async (_object, query) => {
    const key = keyOf(query);
    if (key === 'lead') {
      const all = Array.from({ length: 25 }, (_, i) => record(`l${i}`, 'lead'));
      const start = query.cursor ? 20 : 0;
      return { items: all.slice(start, start + 20), nextCursor: query.cursor ? null : 'next', total: query.count ? 25 : null };
    }
    return key === 'won' ? { items: [record('w0', 'won')], nextCursor: null, total: 1 } : { items: [], nextCursor: null, total: 0 };
  });
}

async function board() {
  const kanban = useKanban({ object: 'deal', field: stage, sort: '-amount', expand: '' }, { locale: 'en', none: '(None)' });
  await vi.waitFor(() => expect(kanban.columns.value.every((c) => !c.loading)).toBe(true));
  return kanban;
}

beforeEach(() => {
  vi.resetAllMocks();
  serve();
});

describe('useKanban', () => {
  it('loads the first page of every column with its count, and the next page of one on demand', async () => {
    const kanban = await board();
    expect(kanban.columns.value.map((c) => [c.label, c.items.length, c.total])).toEqual([
      ['Lead', 20, 25],
      ['Won', 1, 1],
      ['(None)', 0, 0],
    ]);
    await kanban.loadMore('lead');
    expect(kanban.columns.value[0]!.items).toHaveLength(25);
    expect(kanban.columns.value[0]!.cursor).toBeNull();
    expect(list).toHaveBeenLastCalledWith('deal', expect.objectContaining({ cursor: 'next', count: false }));
  });

  it('moves a card at once and saves it with the version it was shown at', async () => {
    const kanban = await board();
    let answer: (value: RecordData) => void = () => {};
    update.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const moving = kanban.move('l3', 'won');
    await nextTick();
    expect(kanban.columns.value[1]!.items.map((r) => r.id)).toEqual(['l3', 'w0']);
    expect(update).toHaveBeenCalledWith('deal', 'l3', 1, { stage: 'won' });
    answer(record('l3', 'won', 2));
    expect(await moving).toBeNull();
    expect(kanban.columns.value[1]!.items[0]).toMatchObject({ id: 'l3', version: 2 });
  });

  it('puts the card back and hands over the error when the save is refused', async () => {
    const kanban = await board();
    const conflict = new ApiError(409, 'VERSION_CONFLICT', 'Someone changed it');
    update.mockRejectedValue(conflict);
    expect(await kanban.move('l3', null)).toBe(conflict);
    expect(kanban.columns.value[0]!.items[3]!.id).toBe('l3');
    expect(kanban.columns.value.map((c) => c.total)).toEqual([25, 1, 0]);
  });

  it('refreshes in place as many cards as each column shows, without emptying the board meanwhile', async () => {
    const kanban = await board();
    await kanban.loadMore('lead');
    let answer: () => void = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    list.mockImplementation(async (_object, query) => {
      await answered;
      return keyOf(query) === 'won' ? { items: [record('w0', 'won'), record('w1', 'won')], nextCursor: null, total: 2 } : { items: [], nextCursor: null, total: 0 };
    });
    const refreshing = kanban.refresh();
    await nextTick();
    expect(kanban.columns.value[0]!.items).toHaveLength(25);
    answer();
    await refreshing;
    expect(list).toHaveBeenCalledWith('deal', expect.objectContaining({ limit: 25, count: true, cursor: undefined }));
    expect(kanban.columns.value.map((c) => [c.items.length, c.total])).toEqual([
      [0, 0],
      [2, 2],
      [0, 0],
    ]);
  });

  it('holds a refresh asked for during a move until the move has been saved', async () => {
    const kanban = await board();
    let answer: (value: RecordData) => void = () => {};
    update.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const moving = kanban.move('l3', 'won');
    list.mockClear();
    await kanban.refresh();
    expect(list).not.toHaveBeenCalled();
    answer(record('l3', 'won', 2));
    await moving;
    await vi.waitFor(() => expect(list).toHaveBeenCalledTimes(3));
  });
});
