import { sharedViteConfig } from './vite.shared.ts';

export default sharedViteConfig('/');
