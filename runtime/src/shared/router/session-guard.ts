import type { Router } from 'vue-router';
import { setUnauthenticatedHandler } from '../api/http.ts';
import { useSessionStore } from '../stores/session.ts';
import { notifyError } from '../util/notify.ts';
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
    const session = useSessionStore();
    let user = null;
    try {
      user = await session.ensure();
    } catch (error) {
      notifyError(error);
    }
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
