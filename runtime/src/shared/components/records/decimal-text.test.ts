import { describe, expect, it } from 'vitest';
import { fractionToPercent, percentToFraction, shiftDecimal } from './decimal-text.ts';

describe('shiftDecimal', () => {
  it('moves the point exactly, without float rounding', () => {
    expect(shiftDecimal('0.07', 2)).toBe('7');
    expect(shiftDecimal('0.3500', 2)).toBe('35');
    expect(shiftDecimal('1.005', 2)).toBe('100.5');
    expect(shiftDecimal('12345678901234567890.123', 1)).toBe('123456789012345678901.23');
  });

  it('pads with zeros on both sides', () => {
    expect(shiftDecimal('7', -2)).toBe('0.07');
    expect(shiftDecimal('35', -2)).toBe('0.35');
    expect(shiftDecimal('1.5', 3)).toBe('1500');
    expect(shiftDecimal('.5', 1)).toBe('5');
  });

  it('keeps the sign, except on zero', () => {
    expect(shiftDecimal('-12.5', -2)).toBe('-0.125');
    expect(shiftDecimal('-0.00', 2)).toBe('0');
  });

  it('refuses what is not a decimal', () => {
    for (const bad of ['', '-', '.', 'abc', '1e5', '1.2.3', '12%']) expect([bad, shiftDecimal(bad, 2)]).toEqual([bad, null]);
  });
});

describe('percent conversions', () => {
  it('are each other’s inverse', () => {
    expect(fractionToPercent('0.1250')).toBe('12.5');
    expect(percentToFraction('12.5')).toBe('0.125');
    expect(percentToFraction('100')).toBe('1');
  });
});
