import type { Locale } from '@threadbase/platform/contracts';
import { createI18n } from 'vue-i18n';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

/**
 * One i18n instance per page, shared by components and by plain modules (error notices, guards),
 * which cannot call `useI18n`. Each app merges its own messages in with `addMessages`.
 */
export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
});

export function addMessages(messages: Record<Locale, Record<string, unknown>>): void {
  for (const [locale, tree] of Object.entries(messages)) i18n.global.mergeLocaleMessage(locale, tree);
}

export function t(key: string, params?: Record<string, unknown>): string {
  return params ? i18n.global.t(key, params) : i18n.global.t(key);
}
