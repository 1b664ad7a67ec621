import { describe, expect, it } from 'vitest';
import { detectLocale, isLocale } from './detect-locale.ts';

describe('detectLocale', () => {
  it('prefers the remembered choice', () => {
    expect(detectLocale('en', ['zh-CN'])).toBe('en');
    expect(detectLocale('zh-CN', ['en-US'])).toBe('zh-CN');
  });

  it('maps every Chinese browser language to zh-CN and anything else to en', () => {
    expect(detectLocale(null, ['zh-TW', 'en'])).toBe('zh-CN');
    expect(detectLocale(null, ['zh'])).toBe('zh-CN');
    expect(detectLocale(null, ['de-DE', 'zh-CN'])).toBe('en');
    expect(detectLocale(null, [])).toBe('en');
  });

  it('ignores a remembered value that is not a locale', () => {
    expect(detectLocale('fr', ['zh-CN'])).toBe('zh-CN');
    expect(isLocale('fr')).toBe(false);
  });
});
