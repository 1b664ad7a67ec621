import { describe, expect, it } from 'vitest';
import { nextTick, ref } from 'vue';
import { useLatest } from './use-latest.ts';

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('useLatest', () => {
  it('keeps only the answer to the latest request, whatever order the answers come in', async () => {
    const pending = new Map<string, (value: string) => void>();
    const request = ref<string | null>('a');
    const latest = useLatest(request, (req: string) => new Promise<string>((resolve) => pending.set(req, resolve)), '');
    expect(latest.loading.value).toBe(true);
    request.value = 'b';
    await nextTick();
    pending.get('b')!('answer b');
    pending.get('a')!('answer a');
    await settle();
    expect(latest.data.value).toBe('answer b');
    expect(latest.loading.value).toBe(false);
  });

  it('keeps the error of the latest request and clears it on the next success; a null request loads nothing', async () => {
    let fail = true;
    const request = ref<number | null>(1);
    const latest = useLatest(request, async (n: number) => (fail ? Promise.reject(new Error('down')) : n * 2), 0);
    await settle();
    expect(String(latest.error.value)).toContain('down');
    fail = false;
    await latest.reload();
    expect([latest.data.value, latest.error.value]).toEqual([2, null]);
    request.value = null;
    await nextTick();
    await settle();
    expect(latest.data.value).toBe(2);
  });
});
