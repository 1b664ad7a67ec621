import type { LocationQueryValue, RouteLocationRaw } from 'vue-router';

/** Only a path on this site: an absolute or protocol-relative URL in `redirect` would be an open redirect. */
export function afterLogin(redirect: LocationQueryValue | LocationQueryValue[] | undefined): RouteLocationRaw {
  if (typeof redirect === 'string' && redirect.startsWith('/') && !redirect.startsWith('//') && !redirect.startsWith('/\\')) return redirect;
  return { name: 'home' };
}
