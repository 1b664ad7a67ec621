import vue from '@vitejs/plugin-vue';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import components from 'unplugin-vue-components/vite';
import { defineConfig, type UserConfig } from 'vite';

/** The Vite config both SPAs build with; they differ only in the path they are served under. */
export function sharedViteConfig(base: string): UserConfig {
  return defineConfig({
    base,
    plugins: [
      vue(),
      // Only the Element Plus components a template uses are bundled, each with its own CSS.
      components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dirs: [], dts: false }),
    ],
    define: {
      __VUE_I18N_LEGACY_API__: 'false',
      __VUE_I18N_FULL_INSTALL__: 'false',
      __INTLIFY_PROD_DEVTOOLS__: 'false',
    },
    server: { proxy: { '/api': process.env.TB_API ?? 'http://localhost:3000' } },
  });
}
