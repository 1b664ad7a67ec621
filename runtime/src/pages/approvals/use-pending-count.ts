import { ref, watch } from 'vue';
import { useRoute } from 'vue-router';
import { approvalsApi } from '../../shared/api/approvals-api.ts';

const CAP = 99;

/**
 * How many approvals wait for me, for the navigation: "99+" past a page. Counted again on every move
 * between pages, which is when someone who just acted looks back at the navigation.
 */
export function usePendingCount() {
  const label = ref('');
  const route = useRoute();
  let generation = 0;

  async function refresh(): Promise<void> {
    const current = ++generation;
    try {
      const page = await approvalsApi.list('pending', { limit: CAP });
      if (current !== generation) return;
      const count = page.items.length;
      label.value = page.nextCursor ? `${CAP}+` : count ? String(count) : '';
    } catch {
      // The count is a hint: without it the navigation still works, and the page itself shows errors.
      if (current === generation) label.value = '';
    }
  }

  watch(() => route.fullPath, refresh, { immediate: true });
  return label;
}
