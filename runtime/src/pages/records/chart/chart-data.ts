import type { FieldDefinition } from '@threadbase/platform/contracts';
import type { AggregateGroup } from '../../../shared/api/records-api.ts';
import { localised } from '../../../shared/components/records/field-kinds.ts';

export type ChartKind = 'bar' | 'line' | 'pie';
export const CHART_KINDS: readonly ChartKind[] = ['bar', 'line', 'pie'];

/** What the server groups by (records/aggregate.ts) and a reader can name: not lookups, which come back as ids. */
const GROUPABLE: ReadonlySet<FieldDefinition['type']> = new Set(['single_select', 'boolean', 'user', 'department', 'date', 'datetime', 'text', 'integer']);
const NUMERIC: ReadonlySet<FieldDefinition['type']> = new Set(['integer', 'decimal', 'percent', 'currency']);

export const isDateField = (field: FieldDefinition) => field.type === 'date' || field.type === 'datetime';
export const groupableFields = (fields: readonly FieldDefinition[]) => fields.filter((f) => GROUPABLE.has(f.type));

/** `count`, or `sum:<field>` and `avg:<field>` for each numeric field, as the aggregate API spells them. */
export function metricChoices(fields: readonly FieldDefinition[]): { value: string; fn: 'count' | 'sum' | 'avg'; field: FieldDefinition | null }[] {
  const numeric = fields.filter((f) => NUMERIC.has(f.type));
  return [{ value: 'count', fn: 'count' as const, field: null }, ...numeric.flatMap((f) => (['sum', 'avg'] as const).map((fn) => ({ value: `${fn}:${f.name}`, fn, field: f })))];
}

export type KeyNames = { locale: string; none: string; yes: string; no: string; person: (id: string) => string; department: (id: string) => string };

/** A group key as a reader says it: an option's label, yes/no, a person's or department's name, a date period. */
export function keyLabel(field: FieldDefinition, key: unknown, names: KeyNames): string {
  if (key === null || key === undefined || key === '') return names.none;
  if (field.type === 'single_select') {
    const option = field.options.find((o) => o.key === key);
    return option ? localised(option.label, names.locale) : String(key);
  }
  if (field.type === 'boolean') return key ? names.yes : names.no;
  if (field.type === 'user') return names.person(String(key)) || String(key);
  if (field.type === 'department') return names.department(String(key)) || String(key);
  return String(key);
}

export type ChartSeries = { labels: string[]; values: number[]; colors: (string | null)[] };

/**
 * The aggregate's groups as one series: the count or the metric's value per group (a group without
 * values counts 0). A select's groups follow its options' order, as its board's columns do.
 */
export function chartSeries(unordered: readonly AggregateGroup[], field: FieldDefinition, metric: string, names: KeyNames): ChartSeries {
  const options = field.type === 'single_select' ? field.options : [];
  const colorOf = (key: unknown) => options.find((o) => o.key === key)?.color ?? null;
  const rank = (key: unknown) => {
    const index = options.findIndex((o) => o.key === key);
    return index < 0 ? options.length : index;
  };
  const groups = options.length ? [...unordered].sort((a, b) => rank(a.keys[field.name]) - rank(b.keys[field.name])) : unordered;
  return {
    labels: groups.map((g) => keyLabel(field, g.keys[field.name], names)),
    values: groups.map((g) => (metric === 'count' ? g.count : Number(g.values[metric] ?? 0))),
    colors: groups.map((g) => colorOf(g.keys[field.name])),
  };
}

/**
 * The ECharts option for a series; colours follow the field's options where it has them. On a narrow
 * screen the category labels slant, so that each can be read rather than every other one hidden.
 */
export function chartOption(kind: ChartKind, series: ChartSeries, metricLabel: string, format: (value: number) => string, narrow = false): Record<string, unknown> {
  const itemStyle = (i: number) => (series.colors[i] ? { color: series.colors[i] } : {});
  const tooltip = { trigger: kind === 'pie' ? 'item' : 'axis', valueFormatter: format };
  if (kind === 'pie') {
    return {
      backgroundColor: 'transparent',
      tooltip,
      legend: { type: 'scroll', bottom: 0 },
      series: [{ type: 'pie', name: metricLabel, radius: ['35%', '65%'], data: series.values.map((value, i) => ({ name: series.labels[i], value, itemStyle: itemStyle(i) })) }],
    };
  }
  return {
    backgroundColor: 'transparent',
    tooltip,
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: series.labels, axisLabel: { hideOverlap: true, interval: series.labels.length <= 12 ? 0 : 'auto', rotate: narrow && series.labels.length > 3 ? 40 : 0 } },
    yAxis: { type: 'value', name: metricLabel, nameTextStyle: { align: 'left' }, axisLabel: { formatter: format } },
    series: [{ type: kind, name: metricLabel, data: series.values.map((value, i) => ({ value, itemStyle: itemStyle(i) })), ...(kind === 'line' && { smooth: true }) }],
  };
}
