import type { Ctx } from '../core/context.ts';
import { getUser } from '../org/index.ts';

export type GuestUser = { id: string; login: string; displayName: string; isAdmin: boolean; locale: 'zh-CN' | 'en' };

/** The person a script runs for; a run with no person (a schedule, a public endpoint) runs for the system. */
const SYSTEM_USER: GuestUser = Object.freeze({ id: '00000000-0000-0000-0000-000000000000', login: 'system', displayName: 'System', isAdmin: true, locale: 'en' });

/** Kept a few seconds per process: a busy object runs a save script for every write of the same people. */
const recent = new Map<string, { user: GuestUser; at: number }>();
const KEEP_MS = 5000;

export async function guestUser(ctx: Ctx): Promise<GuestUser> {
  if (ctx.actor.kind !== 'user') return SYSTEM_USER;
  const key = `${ctx.workspace.schemas.system}:${ctx.actor.userId}`;
  const hit = recent.get(key);
  if (hit && Date.now() - hit.at < KEEP_MS) return hit.user;
  const found = await getUser(ctx, ctx.actor.userId);
  const user = { id: found.id, login: found.login, displayName: found.displayName, isAdmin: found.isAdmin, locale: found.locale };
  if (recent.size > 1000) recent.clear();
  recent.set(key, { user, at: Date.now() });
  return user;
}

/**
 * Code put before the script's own on its first line (so that its line numbers stay right): the run's
 * context as the frozen global `ctx`, and `log`, the console under the name the script API gives it.
 * The context travels as a JSON string literal, so nothing in it is ever read as code.
 */
export function guestPrelude(context: unknown): string {
  const json = JSON.stringify(JSON.stringify(context));
  return (
    `const ctx = (function freeze(o) { if (o && typeof o === 'object') { Object.values(o).forEach(freeze); Object.freeze(o); } return o; })(JSON.parse(${json})), ` +
    `log = Object.freeze(Object.assign((...a) => console.log(...a), { debug: (...a) => console.log(...a), info: (...a) => console.info(...a), warn: (...a) => console.warn(...a), error: (...a) => console.error(...a) }));`
  );
}
