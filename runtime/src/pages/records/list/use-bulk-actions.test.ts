import type { FieldDefinition } from '@threadbase/platform/contracts';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../shared/api/api-error.ts';
import type { RecordData } from '../../../shared/api/records-api.ts';
import { bulkApi } from './bulk-api.ts';
import { useBulkActions } from './use-bulk-actions.ts';

vi.mock('./bulk-api.ts', () => ({ bulkApi: { apply: vi.fn() } }));
vi.mock('../../../shared/util/notify.ts', () => ({ errorMessage: (e: { message?: string }) => e.message || 'Unexpected' }));

const apply = vi.mocked(bulkApi.apply);
const stage = { name: 'stage', type: 'single_select', label: { 'zh-CN': '阶段', en: 'Stage' }, options: [] } as unknown as FieldDefinition;
const rows = [
  { id: 'a', version: 1, title: 'Alpha' },
  { id: 'b', version: 4, title: 'Beta' },
  { id: 'c', version: 2, title: 'Gamma' },
] as unknown as RecordData[];
const texts = () => ({ rowName: (row: RecordData) => String(row.title), failedAt: (name: string, reason: string) => `“${name}”: ${reason}. Nothing was changed.` });

beforeEach(() => vi.resetAllMocks());

describe('useBulkActions', () => {
  it('sends one update per row, each with its own version', async () => {
    apply.mockResolvedValue({ created: [], updated: [], deleted: 0 });
    const bulk = useBulkActions('deal', texts);
    expect(await bulk.editField(rows, stage, 'won')).toBe(true);
    expect(apply).toHaveBeenCalledWith('deal', {
      update: [
        { id: 'a', version: 1, stage: 'won' },
        { id: 'b', version: 4, stage: 'won' },
        { id: 'c', version: 2, stage: 'won' },
      ],
    });
    expect(bulk.error.value).toBeNull();
  });

  it('deletes the rows by id in one request', async () => {
    apply.mockResolvedValue({ created: [], updated: [], deleted: 3 });
    const bulk = useBulkActions('deal', texts);
    expect(await bulk.remove(rows)).toBe(true);
    expect(apply).toHaveBeenCalledWith('deal', { delete: ['a', 'b', 'c'] });
  });

  it('names the row the server refused, from the error’s index', async () => {
    apply.mockRejectedValue(new ApiError(409, 'VERSION_CONFLICT', 'Someone else changed it', { op: 'update', index: 1, current: 5 }));
    const bulk = useBulkActions('deal', texts);
    expect(await bulk.editField(rows, stage, 'won')).toBe(false);
    expect(bulk.error.value).toBe('“Beta”: Someone else changed it. Nothing was changed.');
  });

  it('gives the server’s message alone when no row is named', async () => {
    apply.mockRejectedValue(new ApiError(403, 'FORBIDDEN', 'Not allowed'));
    const bulk = useBulkActions('deal', texts);
    expect(await bulk.remove(rows)).toBe(false);
    expect(bulk.error.value).toBe('Not allowed');
  });

  it('sends nothing for an empty selection', async () => {
    const bulk = useBulkActions('deal', texts);
    expect(await bulk.remove([])).toBe(false);
    expect(apply).not.toHaveBeenCalled();
  });
});
