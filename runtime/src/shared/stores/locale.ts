import type { Locale } from '@threadbase/platform/contracts';
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { detectLocale } from '../i18n/detect-locale.ts';
import { switchLocale } from '../i18n/i18n.ts';

const STORAGE_KEY = 'threadbase.locale';

/** The UI language. It also sets the document language, which the API client sends as Accept-Language. */
export const useLocaleStore = defineStore('locale', () => {
  const current = ref<Locale>(detectLocale(readStored(), navigator.languages));

  watch(current, apply, { immediate: true });

  return { current, set };

  function set(locale: Locale): void {
    current.value = locale;
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Private windows may refuse storage; the choice then lasts for this page only.
    }
  }
});

function apply(locale: Locale): void {
  document.documentElement.lang = locale;
  void switchLocale(locale);
}

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
