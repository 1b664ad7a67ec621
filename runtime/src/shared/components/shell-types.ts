import type { RouteLocationRaw } from 'vue-router';

/** A place in the app's own router. */
export type ShellNavItem = { to: RouteLocationRaw; label: string };
/** An entry of the user menu: a route of this app, or a plain link (e.g. to the other app). */
export type ShellLink = { label: string; to?: RouteLocationRaw; href?: string };
