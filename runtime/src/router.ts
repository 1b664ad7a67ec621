import { createRouter, createWebHistory } from 'vue-router';
import AppLayout from './app-layout.vue';
import { LoginPage } from './shared/index.ts';

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/login', name: 'login', component: LoginPage, props: { appNameKey: 'app.name' }, meta: { public: true, titleKey: 'login.title' } },
    {
      path: '/',
      component: AppLayout,
      children: [
        { path: '', name: 'home', redirect: { name: 'directory' } },
        { path: 'directory', name: 'directory', component: () => import('./pages/directory/directory-page.vue'), meta: { titleKey: 'directory.title' } },
        { path: 'account', name: 'account', component: () => import('./pages/account/account-page.vue'), meta: { titleKey: 'account.title' } },
      ],
    },
    { path: '/:unknown(.*)*', redirect: { name: 'home' } },
  ],
});
