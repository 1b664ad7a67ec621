import type { ErrorCode, Locale } from '../contracts/index.ts';
import { messages } from './messages.ts';

export function translate(locale: Locale, code: ErrorCode, params: Record<string, string | number> = {}): string {
  return translateWith(messages[locale][code], params);
}

/** Fills `{name}` placeholders; an unknown one stays visible rather than vanishing. */
export function translateWith(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Picks zh-CN or en from an Accept-Language header; English unless Chinese is preferred over it. */
export function negotiateLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.map((r) => r.trim()).find((r) => r.startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((l) => l.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}
