import { sharedViteConfig } from '@threadbase/runtime/vite';

export default sharedViteConfig('/designer/');
