import type { FieldDefinition, MyObjectAccess } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { autoMapping, duplicateFields, importableFields, readCsvFile } from './csv-columns.ts';

const both = (zh: string, en: string) => ({ 'zh-CN': zh, en });
const fields = [
  { name: 'title', type: 'text', label: both('商机名称', 'Deal name') },
  { name: 'amount', type: 'currency', label: both('金额', 'Amount') },
  { name: 'code', type: 'auto_number', label: both('编号', 'Code') },
  { name: 'stage', type: 'single_select', label: both('阶段', 'Stage') },
] as FieldDefinition[];

describe('importableFields', () => {
  it('leaves out computed fields and those the person may not write', () => {
    const access = { fields: { stage: 'read' } } as unknown as MyObjectAccess;
    expect(importableFields(fields, access).map((f) => f.name)).toEqual(['title', 'amount']);
    expect(importableFields(fields, null).map((f) => f.name)).toEqual(['title', 'amount', 'stage']);
  });
});

describe('readCsvFile', () => {
  it('reads the header, an example row and the row count, whatever the separator', () => {
    expect(readCsvFile('a.csv', '\uFEFF商机名称,Amount\n"Big, deal",100\nSmall,5\n\n')).toEqual({
      name: 'a.csv',
      text: '商机名称,Amount\n"Big, deal",100\nSmall,5\n\n',
      header: ['商机名称', 'Amount'],
      sample: ['Big, deal', '100'],
      rows: 2,
    });
    expect(readCsvFile('b.csv', 'title;stage\nX;won\n')).toMatchObject({ header: ['title', 'stage'], rows: 1 });
    expect(readCsvFile('c.csv', 'title\n')).toMatchObject({ rows: 0 });
  });

  it('reports a file it cannot read', () => {
    expect(readCsvFile('d.csv', 'title\n"never closed\n')).toHaveProperty('problem');
  });
});

describe('autoMapping', () => {
  it('matches columns by API name or either label, ignoring case, each field once; others are skipped', () => {
    expect(autoMapping(['Deal name', ' AMOUNT ', 'stage', 'title', 'Notes'], importableFields(fields, null))).toEqual({
      'Deal name': 'title',
      ' AMOUNT ': 'amount',
      stage: 'stage',
      title: null,
      Notes: null,
    });
    expect(autoMapping(['金额'], fields)).toEqual({ 金额: 'amount' });
  });
});

describe('duplicateFields', () => {
  it('names the fields more than one column would fill', () => {
    expect(duplicateFields({ a: 'title', b: 'title', c: null, d: 'amount' })).toEqual(['title']);
  });
});
