import type { FieldDefinition } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { chartOption, chartSeries, groupableFields, keyLabel, metricChoices, type KeyNames } from './chart-data.ts';

const both = (zh: string, en: string) => ({ 'zh-CN': zh, en });
const stage = {
  name: 'stage',
  type: 'single_select',
  label: both('阶段', 'Stage'),
  options: [{ key: 'won', label: both('赢单', 'Won'), color: '#00b42a' }],
} as FieldDefinition;
const amount = { name: 'amount', type: 'currency', label: both('金额', 'Amount') } as FieldDefinition;
const account = { name: 'account', type: 'lookup', label: both('客户', 'Account') } as FieldDefinition;
const done = { name: 'done', type: 'boolean', label: both('完成', 'Done') } as FieldDefinition;
const names: KeyNames = { locale: 'en', none: '(None)', yes: 'Yes', no: 'No', person: (id) => (id === 'u1' ? 'Emma' : ''), department: () => '' };

describe('chart choices', () => {
  it('groups by fields a reader can name, and sums or averages numeric ones', () => {
    expect(groupableFields([stage, amount, account, done]).map((f) => f.name)).toEqual(['stage', 'done']);
    expect(metricChoices([stage, amount]).map((m) => m.value)).toEqual(['count', 'sum:amount', 'avg:amount']);
  });
});

describe('keyLabel', () => {
  it('names a key as the reader says it', () => {
    expect(keyLabel(stage, 'won', names)).toBe('Won');
    expect(keyLabel(stage, null, names)).toBe('(None)');
    expect(keyLabel(done, false, names)).toBe('No');
    expect(keyLabel({ ...stage, type: 'user' } as FieldDefinition, 'u1', names)).toBe('Emma');
    expect(keyLabel({ ...stage, type: 'date' } as FieldDefinition, '2026-Q1', names)).toBe('2026-Q1');
  });
});

describe('chartSeries and chartOption', () => {
  const groups = [
    { keys: { stage: null }, count: 2, values: { 'sum:amount': null } },
    { keys: { stage: 'won' }, count: 6, values: { 'sum:amount': '1200.50' } },
  ];

  it('takes the count or the metric per group in the options’ order, with their colours', () => {
    expect(chartSeries(groups, stage, 'count', names)).toEqual({ labels: ['Won', '(None)'], values: [6, 2], colors: ['#00b42a', null] });
    expect(chartSeries(groups, stage, 'sum:amount', names).values).toEqual([1200.5, 0]);
  });

  it('draws bars on a category axis and a pie with named slices', () => {
    const series = chartSeries(groups, stage, 'count', names);
    const bar = chartOption('bar', series, 'Records', String) as { xAxis: { data: string[] }; series: { type: string; data: { itemStyle: object }[] }[] };
    expect(bar.xAxis.data).toEqual(['Won', '(None)']);
    expect(bar.series[0]!.type).toBe('bar');
    expect(bar.series[0]!.data[0]!.itemStyle).toEqual({ color: '#00b42a' });
    const pie = chartOption('pie', series, 'Records', String) as { series: { data: { name: string; value: number }[] }[] };
    expect(pie.series[0]!.data.map((d) => [d.name, d.value])).toEqual([['Won', 6], ['(None)', 2]]);
  });
});
