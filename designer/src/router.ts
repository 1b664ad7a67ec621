import { LoginPage, useSessionStore } from '@threadbase/runtime/shared';
import { createRouter, createWebHistory } from 'vue-router';
import AppLayout from './app-layout.vue';

declare module 'vue-router' {
  interface RouteMeta {
    /** Only administrators may open it; everyone else sees the admins-only page. */
    admin?: boolean;
  }
}

export const router = createRouter({
  history: createWebHistory('/designer/'),
  routes: [
    { path: '/login', name: 'login', component: LoginPage, props: { appNameKey: 'app.name' }, meta: { public: true, titleKey: 'login.title' } },
    {
      path: '/',
      component: AppLayout,
      children: [
        { path: '', name: 'home', redirect: { name: 'org' } },
        { path: 'org', name: 'org', component: () => import('./pages/org/org-page.vue'), meta: { admin: true, titleKey: 'org.title' } },
        { path: 'admins-only', name: 'admins-only', component: () => import('./pages/admins-only-page.vue'), meta: { titleKey: 'adminsOnly.title' } },
      ],
    },
    { path: '/:unknown(.*)*', redirect: { name: 'home' } },
  ],
});

/** Runs after the session guard, so the user is known here. */
export function installAdminGuard(): void {
  router.beforeEach((to) => {
    const session = useSessionStore();
    if (!session.user) return true;
    if (to.meta.admin && !session.isAdmin) return { name: 'admins-only' };
    if (to.name === 'admins-only' && session.isAdmin) return { name: 'home' };
    return true;
  });
}
