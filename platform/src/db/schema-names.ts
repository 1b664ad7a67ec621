/** Where a deployment's schemas live. The prefix lets tests (and side-by-side deployments) share one server. */
export const SLUG_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;

export type WorkspaceSchemas = {
  /** metadata, users, sessions, audit, outbox */
  system: string;
  /** one table per published object (issue B) */
  data: string;
};

export function workspaceSchemas(prefix: string, slug: string): WorkspaceSchemas {
  if (!SLUG_PATTERN.test(slug)) throw new Error(`Invalid workspace slug: ${slug}`);
  return { system: `${prefix}_ws_${slug}`, data: `${prefix}_wd_${slug}` };
}
