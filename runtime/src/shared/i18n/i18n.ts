import type { Locale } from '@threadbase/platform/contracts';
import { createI18n } from 'vue-i18n';

/** An app's messages, one loader per language: a language's are fetched only once it is chosen. */
export type MessageLoaders = Record<Locale, () => Promise<Record<string, unknown>>>;

/**
 * One i18n instance per page, shared by components and by plain modules (error notices, guards),
 * which cannot call `useI18n`. It starts empty: a language's messages are fetched when it is chosen.
 */
export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: {},
});

const loaders: MessageLoaders[] = [
  {
    'zh-CN': () => import('./zh-CN.ts').then((m) => m.zhCN),
    en: () => import('./en.ts').then((m) => m.en),
  },
];
const loaded = new Map<Locale, Promise<void>>();
let switching: Promise<void> = Promise.resolve();

/** Each app adds its own messages beside the shared ones, before the first language is chosen. */
export function addMessages(app: MessageLoaders): void {
  loaders.push(app);
}

/**
 * Shows `locale` once its messages are in, so no one ever sees a key in place of its text; until then
 * the language before stays, and so it does if they cannot be fetched (choosing it again retries).
 * When asked again meanwhile, the last language asked for wins.
 */
export function switchLocale(locale: Locale): void {
  const next: Promise<void> = loadMessages(locale).then(
    () => {
      if (switching === next) i18n.global.locale.value = locale;
    },
    () => {},
  );
  switching = next;
}

/** Settles once the language last asked for shows, or failed to load. */
export function localeSettled(): Promise<void> {
  return switching;
}

export function t(key: string, params?: Record<string, unknown>): string {
  return params ? i18n.global.t(key, params) : i18n.global.t(key);
}

function loadMessages(locale: Locale): Promise<void> {
  let done = loaded.get(locale);
  if (!done) {
    done = Promise.all(loaders.map((app) => app[locale]())).then((trees) => {
      for (const tree of trees) i18n.global.mergeLocaleMessage(locale, tree);
    });
    done.catch(() => loaded.delete(locale));
    loaded.set(locale, done);
  }
  return done;
}
