import type { ApprovalSummary } from '@threadbase/platform/contracts';
import { ref, shallowRef } from 'vue';
import { approvalsApi, type ApprovalBox } from '../../shared/api/approvals-api.ts';

const PAGE = 20;

/** One box of "my approvals", a page at a time; a newer load wins over one still answering. */
export function useApprovalBox() {
  const items = shallowRef<ApprovalSummary[]>([]);
  const cursor = ref<string | null>(null);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  let generation = 0;

  async function load(box: ApprovalBox, more = false): Promise<void> {
    const current = ++generation;
    loading.value = true;
    if (!more) error.value = null;
    try {
      const page = await approvalsApi.list(box, { limit: PAGE, cursor: more ? cursor.value : null });
      if (current !== generation) return;
      items.value = more ? [...items.value, ...page.items] : page.items;
      cursor.value = page.nextCursor;
    } catch (failure) {
      if (current !== generation) return;
      if (!more) items.value = [];
      error.value = failure;
    } finally {
      if (current === generation) loading.value = false;
    }
  }

  return { items, cursor, loading, error, load };
}
