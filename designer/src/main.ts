import { AppRoot, addMessages, i18n, installSessionGuard, localeSettled, useLocaleStore } from '@threadbase/runtime/shared';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { installAdminGuard, router } from './router.ts';

addMessages({
  'zh-CN': () => import('./i18n/zh-CN.ts').then((m) => m.zhCN),
  en: () => import('./i18n/en.ts').then((m) => m.en),
});
const app = createApp(AppRoot).use(createPinia()).use(i18n);
// Settle the language before the first request, so even the session check is answered in it.
useLocaleStore();
installSessionGuard(router);
installAdminGuard();
app.use(router);
void localeSettled().then(() => app.mount('#app'));
