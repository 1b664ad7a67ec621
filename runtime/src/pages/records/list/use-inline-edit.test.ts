import type { FieldDefinition } from '@threadbase/platform/contracts';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../shared/api/api-error.ts';
import { recordsApi, type RecordData } from '../../../shared/api/records-api.ts';
import { useInlineEdit } from './use-inline-edit.ts';

vi.mock('../../../shared/api/records-api.ts', () => ({ recordsApi: { update: vi.fn(), get: vi.fn() } }));

const update = vi.mocked(recordsApi.update);
const get = vi.mocked(recordsApi.get);

const title = { name: 'title', type: 'text', label: { 'zh-CN': '名称', en: 'Title' } } as FieldDefinition;
const row = (version: number, value: string) => ({ id: 'r1', version, title: value }) as unknown as RecordData;
const texts = { required: 'Required', invalid: (reason: string) => `Invalid (${reason})`, fallback: 'Something went wrong' };

function editor() {
  const replaced: RecordData[] = [];
  const edit = useInlineEdit({ object: 'deal', expand: 'account', texts: () => texts, replace: (r) => replaced.push(r) });
  return { edit, replaced };
}

beforeEach(() => vi.resetAllMocks());

describe('useInlineEdit', () => {
  it('saves the one changed field with the row’s version, then shows the row as read back', async () => {
    const { edit, replaced } = editor();
    update.mockResolvedValue(row(4, 'New') as never);
    get.mockResolvedValue(row(4, 'New'));
    edit.start(row(3, 'Old'), title);
    expect(edit.isEditing(row(3, 'Old'), title)).toBe(true);
    edit.draft.value = 'New';
    expect(await edit.commit()).toBe(true);
    expect(update).toHaveBeenCalledWith('deal', 'r1', 3, { title: 'New' });
    expect(get).toHaveBeenCalledWith('deal', 'r1', 'account');
    expect(replaced).toEqual([row(4, 'New')]);
    expect(edit.editing.value).toBeNull();
  });

  it('sends nothing when the value did not change', async () => {
    const { edit } = editor();
    edit.start(row(1, 'Same'), title);
    expect(await edit.commit()).toBe(true);
    expect(update).not.toHaveBeenCalled();
    expect(edit.editing.value).toBeNull();
  });

  it('keeps the editor open with the server’s reason under the cell when the value is refused', async () => {
    const { edit, replaced } = editor();
    update.mockRejectedValue(new ApiError(422, 'INVALID_FIELD_VALUE', 'Invalid values', { fields: [{ field: 'title', message: 'too long' }] }));
    edit.start(row(1, 'Old'), title);
    edit.draft.value = 'x'.repeat(50);
    expect(await edit.commit()).toBe(false);
    expect(edit.isEditing(row(1, 'Old'), title)).toBe(true);
    expect(edit.problemAt(row(1, 'Old'), title)).toMatchObject({ message: 'Invalid (too long)', conflict: false });
    expect(replaced).toEqual([]);
    edit.cancel();
    expect(edit.problem.value).toBeNull();
  });

  it('reports a conflict when someone saved first, and reloads the row on request', async () => {
    const { edit, replaced } = editor();
    update.mockRejectedValue(new ApiError(409, 'VERSION_CONFLICT', 'Changed by someone else', { current: 2 }));
    edit.start(row(1, 'Old'), title);
    edit.draft.value = 'Mine';
    expect(await edit.commit()).toBe(false);
    expect(edit.problem.value).toMatchObject({ rowId: 'r1', field: 'title', conflict: true });
    get.mockResolvedValue(row(2, 'Theirs'));
    await edit.reloadRow('r1');
    expect(replaced).toEqual([row(2, 'Theirs')]);
    expect(edit.editing.value).toBeNull();
    expect(edit.problem.value).toBeNull();
  });

  it('starts no other cell while a save is under way', async () => {
    const { edit } = editor();
    let finish: (value: never) => void = () => {};
    update.mockReturnValue(new Promise((resolve) => (finish = resolve)));
    get.mockResolvedValue(row(2, 'New'));
    edit.start(row(1, 'Old'), title);
    edit.draft.value = 'New';
    const saved = edit.commit();
    const other = { ...row(1, 'Other'), id: 'r2' } as RecordData;
    edit.start(other, title);
    expect(edit.editing.value).toEqual({ rowId: 'r1', field: 'title' });
    finish(undefined as never);
    expect(await saved).toBe(true);
  });
});
