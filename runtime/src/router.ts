import { createRouter, createWebHistory } from 'vue-router';

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/login', name: 'login', component: () => import('./shared/components/login-page.vue'), props: { appNameKey: 'app.name' }, meta: { public: true, titleKey: 'login.title' } },
    {
      path: '/',
      // Not in the first download: the login page needs none of it, and the session check fetches it meanwhile.
      component: () => import('./app-layout.vue'),
      children: [
        { path: '', name: 'home', redirect: { name: 'directory' } },
        {
          // One route for the list and the open conversation, so switching conversations keeps the list in place.
          path: 'inbox/:threadId([0-9a-f-]{36})?',
          name: 'inbox',
          component: () => import('./pages/inbox/inbox-page.vue'),
          meta: { titleKey: 'inbox.title' },
        },
        // The link a group's owner shares (the server names it `/join/{code}`); the code's shape is the server's to judge.
        { path: 'join/:code', name: 'join', component: () => import('./pages/inbox/join-page.vue'), meta: { titleKey: 'inbox.join.title' } },
        { path: 'directory', name: 'directory', component: () => import('./pages/directory/directory-page.vue'), meta: { titleKey: 'directory.title' } },
        { path: 'approvals', name: 'approvals', component: () => import('./pages/approvals/approvals-page.vue'), meta: { titleKey: 'approvals.title' } },
        { path: 'account', name: 'account', component: () => import('./pages/account/account-page.vue'), meta: { titleKey: 'account.title' } },
        { path: 'apps/:app', name: 'app', component: () => import('./pages/apps/app-open-page.vue'), props: true, meta: { titleKey: 'records.apps.title' } },
        {
          // One parent for every record screen, so the navigation's "records" link stays lit on all of them.
          path: 'o',
          children: [
            { path: '', name: 'objects', component: () => import('./pages/records/objects-page.vue'), meta: { titleKey: 'records.objects.title' } },
            { path: ':object([a-z][a-z0-9_]*)', name: 'object-list', component: () => import('./pages/records/object-list-page.vue') },
            { path: ':object([a-z][a-z0-9_]*)/new', name: 'record-new', component: () => import('./pages/records/record-create-page.vue') },
            { path: ':object([a-z][a-z0-9_]*)/:id([0-9a-f-]{36})', name: 'record', component: () => import('./pages/records/record-page.vue') },
          ],
        },
      ],
    },
    { path: '/:unknown(.*)*', redirect: { name: 'home' } },
  ],
});
