import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { en } from './i18n/en.ts';
import { zhCN } from './i18n/zh-CN.ts';
import { router } from './router.ts';
import { AppRoot, addMessages, followColorScheme, i18n, installSessionGuard, useLocaleStore } from './shared/index.ts';

addMessages({ 'zh-CN': zhCN, en });
followColorScheme();
const app = createApp(AppRoot).use(createPinia()).use(i18n);
// Settle the language before the first request, so even the session check is answered in it.
useLocaleStore();
installSessionGuard(router);
app.use(router).mount('#app');
