// Not through shared/index.ts: that would bring every shared component, and Element Plus with them, into
// the first download.
import './shared/styles/theme.css';
import './shared/styles/dark.css';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { router } from './router.ts';
import AppRoot from './shared/components/app-root.vue';
import { addMessages, i18n, localeSettled } from './shared/i18n/i18n.ts';
import { installSessionGuard } from './shared/router/session-guard.ts';
import { useLocaleStore } from './shared/stores/locale.ts';
import { followColorScheme } from './shared/util/color-scheme.ts';

addMessages({
  'zh-CN': () => import('./i18n/zh-CN.ts').then((m) => m.zhCN),
  en: () => import('./i18n/en.ts').then((m) => m.en),
});
followColorScheme();
const app = createApp(AppRoot).use(createPinia()).use(i18n);
// Settle the language before the first request, so even the session check is answered in it.
useLocaleStore();
installSessionGuard(router);
app.use(router);
// The session check and the page's code are already on their way meanwhile. Not a top-level await: with
// one anywhere, Rolldown stops merging shared chunks and the first download comes in five files.
void localeSettled().then(() => app.mount('#app'));
