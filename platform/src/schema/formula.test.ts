import { describe, expect, it } from 'vitest';
import { MetaDocument } from '../contracts/meta.ts';
import { compileFormula, FormulaError } from './formula.ts';
import { metadataProblems } from './validate-document.ts';
import { label } from '../testing/meta-builders.ts';

const deal = MetaDocument.parse({
  objects: [
    {
      name: 'deal',
      label: label('Deal'),
      pluralLabel: label('Deals'),
      recordName: 'title',
      fields: [
        { name: 'title', type: 'text', label: label('t') },
        { name: 'amount', type: 'decimal', precision: 12, scale: 2, label: label('a') },
        { name: 'due', type: 'date', label: label('d') },
        { name: 'weighted', type: 'formula', expression: 'amount * 2', resultType: 'decimal', label: label('w') },
      ],
    },
  ],
}).objects[0]!;

const refusal = (source: string) => {
  try {
    compileFormula(source, deal);
  } catch (error) {
    expect(error).toBeInstanceOf(FormulaError);
    return (error as FormulaError).message;
  }
  throw new Error(`"${source}" compiled`);
};

describe('the formula language', () => {
  it('type-checks and compiles arithmetic, text, dates, comparisons and functions', () => {
    expect(compileFormula('ROUND(amount * 1.13, 2)', deal).type).toBe('number');
    expect(compileFormula("UPPER(title) & ' / ' & amount", deal).type).toBe('text');
    expect(compileFormula('due + 30', deal).type).toBe('date');
    expect(compileFormula('DAYS(due, TODAY())', deal).type).toBe('number');
    expect(compileFormula("IF(amount >= 1000 AND NOT title = 'x', 'big', 'small')", deal).type).toBe('text');
    expect(compileFormula('COALESCE(amount, 0)', deal).type).toBe('number');
  });

  it.each([
    ['missing', 'is not a stored field'],
    ['weighted + 1', 'is not a stored field'],
    ['amount + title', 'needs number'],
    ['title > 3', 'cannot compare text with number'],
    ['IF(amount, 1, 2)', 'IF condition needs boolean'],
    ['IF(amount > 1, 1, title)', 'same type'],
    ['FROB(1)', 'unknown function FROB'],
    ['ROUND(amount)', 'ROUND takes 2'],
    ['(amount + 1', 'expected ")"'],
    ["title'); drop table users; --", 'unexpected'],
    ['amount ; select 1', 'unexpected character'],
    ['', 'ends too early'],
  ])('refuses %j: %s', (source, message) => {
    expect(refusal(source)).toContain(message);
  });

  it('a bad expression is a metadata problem pointing at the field', () => {
    const broken = { objects: [{ ...deal, fields: deal.fields.map((f) => (f.type === 'formula' ? { ...f, expression: 'amount +' } : f)) }] };
    expect(metadataProblems(broken)).toEqual([{ path: 'objects.0.fields.3.expression', code: 'INVALID_FORMULA', message: 'the formula ends too early (at character 9)' }]);
    const mistyped = { objects: [{ ...deal, fields: deal.fields.map((f) => (f.type === 'formula' ? { ...f, resultType: 'boolean' as const } : f)) }] };
    expect(metadataProblems(mistyped)[0]!.message).toContain('declared boolean');
  });
});
