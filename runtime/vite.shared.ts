import vue from '@vitejs/plugin-vue';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import components from 'unplugin-vue-components/vite';
import { defineConfig, type UserConfig } from 'vite';
import { precompileMessages } from './src/shared/i18n/precompile-messages.ts';

/** The Vite config both SPAs build with; they differ only in the path they are served under. */
export function sharedViteConfig(base: string): UserConfig {
  return defineConfig({
    base,
    plugins: [
      vue(),
      // Only the Element Plus components a template uses are bundled, each with its own CSS.
      components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dirs: [], dts: false }),
      precompileMessages(),
    ],
    define: {
      __VUE_I18N_LEGACY_API__: 'false',
      __VUE_I18N_FULL_INSTALL__: 'false',
      __INTLIFY_PROD_DEVTOOLS__: 'false',
      // Our messages arrive compiled (precompileMessages), so the compiler need not.
      __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
    },
    server: { proxy: { '/api': process.env.TB_API ?? 'http://localhost:3000' } },
  });
}
