import type { Locale } from '@threadbase/platform/contracts';

export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Before anyone logs in: the language chosen last on this browser, else the browser's own (zh* → zh-CN, else en). */
export function detectLocale(stored: string | null, browserLanguages: readonly string[]): Locale {
  if (isLocale(stored)) return stored;
  return /^zh\b/i.test(browserLanguages[0] ?? '') ? 'zh-CN' : 'en';
}
