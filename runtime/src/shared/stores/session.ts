import type { Locale, User } from '@threadbase/platform/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { isApiError } from '../api/api-error.ts';
import { authApi, type ProfilePatch } from '../api/auth-api.ts';
import { useLocaleStore } from './locale.ts';

/** Who is logged in. The session itself is the httpOnly cookie; this store only mirrors GET /me. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<User | null>(null);
  const isAdmin = computed(() => user.value?.isAdmin === true);
  const localeStore = useLocaleStore();
  let loaded: Promise<User | null> | null = null;

  return { user, isAdmin, ensure, login, logout, forget, updateProfile, changeLocale };

  /** Asks the server once per page load; later calls reuse the answer. */
  function ensure(): Promise<User | null> {
    loaded ??= authApi.me().then(
      (session) => adopt(session.user),
      (error: unknown) => {
        if (isApiError(error, 'UNAUTHENTICATED')) return adopt(null);
        loaded = null;
        throw error;
      },
    );
    return loaded;
  }

  async function login(login: string, password: string): Promise<User> {
    const result = await authApi.login(login, password);
    loaded = Promise.resolve(adopt(result.user));
    return result.user;
  }

  async function logout(): Promise<void> {
    try {
      await authApi.logout();
    } catch (error) {
      if (!isApiError(error, 'UNAUTHENTICATED')) throw error;
    }
    loaded = Promise.resolve(adopt(null));
  }

  /** The server said the session is gone (expired, or ended on another device). */
  function forget(): void {
    loaded = Promise.resolve(adopt(null));
  }

  async function updateProfile(patch: ProfilePatch): Promise<User> {
    const updated = await authApi.updateMe(patch);
    adopt(updated);
    return updated;
  }

  /** Switches at once; a logged-in user's choice is also saved on the server, for every device. */
  async function changeLocale(locale: Locale): Promise<void> {
    localeStore.set(locale);
    if (user.value && user.value.locale !== locale) user.value = await authApi.updateMe({ locale });
  }

  function adopt(next: User | null): User | null {
    user.value = next;
    if (next) localeStore.set(next.locale);
    return next;
  }
});
