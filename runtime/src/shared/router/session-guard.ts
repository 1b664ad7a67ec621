import type { Router } from 'vue-router';
import { setUnauthenticatedHandler } from '../api/http.ts';
import { localeSettled } from '../i18n/i18n.ts';
import { useSessionStore } from '../stores/session.ts';
import { afterLogin } from './after-login.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without logging in. */
    public?: boolean;
    /** i18n key of the page title. */
    titleKey?: string;
  }
}

/**
 * Sends anyone without a session to the login page, remembering where they were going, and sends
 * them back there after logging in. A session that ends while a page is open does the same.
 */
export function installSessionGuard(router: Router): void {
  router.beforeEach(async (to) => {
    // The page's code downloads while the session is checked, not after: the router asks for it again
    // once the guard is done and gets the module already loaded.
    for (const record of to.matched) for (const view of Object.values(record.components ?? {})) if (isLazy(view)) void view().catch(() => {});
    const session = useSessionStore();
    let user = null;
    try {
      user = await session.ensure();
    } catch (error) {
      // Fetched only now: the notice brings Element Plus, which the first download goes without.
      void import('../util/notify.ts').then(({ notifyError }) => notifyError(error));
    }
    // A user's saved language replaces the browser's: the page shows in it from its first paint.
    await localeSettled();
    if (to.name === 'login') return user ? afterLogin(to.query.redirect) : true;
    if (to.meta.public || user) return true;
    return { name: 'login', query: { redirect: to.fullPath } };
  });

  setUnauthenticatedHandler(() => {
    useSessionStore().forget();
    const current = router.currentRoute.value;
    if (!current.meta.public) void router.replace({ name: 'login', query: { redirect: current.fullPath } });
  });
}

/** A route's `() => import(…)`, not yet loaded (vue-router tells components from loaders the same way). */
function isLazy(view: unknown): view is () => Promise<unknown> {
  return typeof view === 'function' && !('displayName' in view || 'props' in view || '__vccOpts' in view);
}
