import type { MaybeRefOrGetter } from 'vue';
import { recordViewsApi, type AggregateBucket, type AggregateResult } from '../../../shared/api/records-api.ts';
import { useLatest } from '../../../shared/composables/use-latest.ts';

export type ChartRequest = { object: string; groupBy: string; bucket?: AggregateBucket; metric: string; filter?: string };

/** The aggregate a chart draws, following its request; an answer to an outdated request is dropped. */
export function useChart(request: MaybeRefOrGetter<ChartRequest | null>) {
  const { data: result, loading, error, reload } = useLatest<ChartRequest, AggregateResult | null>(
    request,
    (req) => recordViewsApi.aggregate(req.object, { groupBy: req.groupBy, bucket: req.bucket, metrics: req.metric === 'count' ? undefined : req.metric, filter: req.filter }),
    null,
  );
  return { result, loading, error, reload };
}
