import fs from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

const notBuilt = (name: string) => `<!doctype html><meta charset="utf-8"><title>Threadbase</title>
<p>The ${name} app is not built yet. Run <code>npm run build</code> (or <code>npm start</code>, which builds first).</p>`;

/**
 * Serves a built SPA under `base`: files as they are, and index.html for every other path so that
 * client-side routes survive a reload.
 */
function mountSpa(app: Hono<AppEnv>, base: string, dist: string, name: string): void {
  const index = path.join(dist, 'index.html');
  const prefix = base === '/' ? '' : base.replace(/\/$/, '');
  // Built lazily: the apps may be built after the server started (npm run build while it runs).
  let assets: ReturnType<typeof serveStatic<AppEnv>> | null = null;
  const assetsIfBuilt = () => (assets ??= fs.existsSync(dist) ? serveStatic<AppEnv>({ root: dist, rewriteRequestPath: (p) => p.slice(prefix.length) || '/' }) : null);
  if (prefix) app.get(prefix, (c) => c.redirect(`${prefix}/`));
  app.get(`${prefix}/*`, async (c) => {
    if (c.req.path.startsWith('/api/')) return c.notFound();
    if (path.extname(c.req.path)) {
      const serve = assetsIfBuilt();
      return (serve && (await serve(c, async () => {}))) || c.notFound();
    }
    if (!fs.existsSync(index)) return c.html(notBuilt(name), 503);
    return c.html(await fs.promises.readFile(index, 'utf8'));
  });
}

export function mountSpas(app: Hono<AppEnv>): void {
  mountSpa(app, '/designer/', path.join(repoRoot, 'designer/dist'), 'designer');
  mountSpa(app, '/', path.join(repoRoot, 'runtime/dist'), 'runtime');
}
