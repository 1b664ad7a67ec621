import { sql, type RawBuilder } from 'kysely';

/** Periods a date filter can name instead of fixed dates, as in "closing this month". */
export const RELATIVE_PERIODS = [
  'today', 'yesterday', 'tomorrow', 'this_week', 'last_week', 'next_week', 'this_month', 'last_month', 'next_month',
  'this_quarter', 'last_quarter', 'this_year', 'last_year', 'last_7_days', 'last_30_days', 'next_7_days', 'next_30_days',
] as const;
export type RelativePeriod = (typeof RELATIVE_PERIODS)[number];

/** [start, end) of a period as local timestamps in `timeZone`; weeks start on Monday. */
function bounds(period: RelativePeriod, timeZone: string): [RawBuilder<unknown>, RawBuilder<unknown>] {
  const now = sql`(now() at time zone ${timeZone})`;
  const day = sql`date_trunc('day', ${now})`;
  const unit = (u: 'week' | 'month' | 'quarter' | 'year', shift: number): [RawBuilder<unknown>, RawBuilder<unknown>] => {
    const start = sql`(date_trunc(${u}, ${now}) + ${`${shift} ${u}`}::interval)`;
    return [start, sql`(${start} + ${`1 ${u}`}::interval)`];
  };
  const days = (from: number, to: number): [RawBuilder<unknown>, RawBuilder<unknown>] => [sql`(${day} + ${`${from} day`}::interval)`, sql`(${day} + ${`${to} day`}::interval)`];
  switch (period) {
    case 'today': return days(0, 1);
    case 'yesterday': return days(-1, 0);
    case 'tomorrow': return days(1, 2);
    case 'this_week': return unit('week', 0);
    case 'last_week': return unit('week', -1);
    case 'next_week': return unit('week', 1);
    case 'this_month': return unit('month', 0);
    case 'last_month': return unit('month', -1);
    case 'next_month': return unit('month', 1);
    case 'this_quarter': return unit('quarter', 0);
    case 'last_quarter': return unit('quarter', -1);
    case 'this_year': return unit('year', 0);
    case 'last_year': return unit('year', -1);
    case 'last_7_days': return days(-6, 1);
    case 'last_30_days': return days(-29, 1);
    case 'next_7_days': return days(0, 7);
    case 'next_30_days': return days(0, 30);
  }
}

/** A date column is compared as local dates; a timestamp column at the time zone's local midnight. */
export function withinPeriod(column: RawBuilder<unknown>, kind: 'date' | 'datetime', period: RelativePeriod, timeZone: string): RawBuilder<boolean> {
  const [start, end] = bounds(period, timeZone);
  if (kind === 'date') return sql<boolean>`(${column} >= ${start}::date and ${column} < ${end}::date)`;
  return sql<boolean>`(${column} >= (${start} at time zone ${timeZone}) and ${column} < (${end} at time zone ${timeZone}))`;
}
