import type { Authenticated } from '../auth/index.ts';
import type { Locale } from '../contracts/index.ts';
import type { Ctx } from '../core/context.ts';

export type AppEnv = {
  Variables: {
    locale: Locale;
    ctx: Ctx;
    auth: Authenticated;
  };
};
