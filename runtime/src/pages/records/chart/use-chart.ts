import { ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { recordViewsApi, type AggregateBucket, type AggregateResult } from '../../../shared/api/records-api.ts';

export type ChartRequest = { object: string; groupBy: string; bucket?: AggregateBucket; metric: string; filter?: string };

/** The aggregate a chart draws, following its request; an answer to an outdated request is dropped. */
export function useChart(request: MaybeRefOrGetter<ChartRequest | null>) {
  const result = shallowRef<AggregateResult | null>(null);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  let generation = 0;

  watch(() => JSON.stringify(toValue(request)), () => void reload(), { immediate: true });

  return { result, loading, error, reload };

  async function reload(): Promise<void> {
    const current = ++generation;
    const req = toValue(request);
    if (!req) return;
    loading.value = true;
    error.value = null;
    try {
      const answer = await recordViewsApi.aggregate(req.object, {
        groupBy: req.groupBy,
        bucket: req.bucket,
        metrics: req.metric === 'count' ? undefined : req.metric,
        filter: req.filter,
      });
      if (current === generation) result.value = answer;
    } catch (caught) {
      if (current === generation) error.value = caught;
    } finally {
      if (current === generation) loading.value = false;
    }
  }
}
