import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/** PGlite's version, from its package.json (not in the package's exports, so found next to its entry file). */
function pgliteVersion(): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Where `npm run build` keeps a freshly initialised PGlite cluster, one per PGlite version. */
export const templateFile = path.resolve(import.meta.dirname, `../../../node_modules/.cache/threadbase/pglite-${pgliteVersion()}.tar.gz`);

/**
 * Opens PGlite on a folder (or in memory). A new folder is restored from the template when there is
 * one: the same files initdb would write, in about half its time, which is most of a first start.
 */
export async function createPglite(dataDir: string | null): Promise<PGlite> {
  if (!dataDir) return PGlite.create();
  const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh && fs.existsSync(templateFile)) return PGlite.create(dataDir, { loadDataDir: await fs.openAsBlob(templateFile) });
  return PGlite.create(dataDir);
}

/** Writes the template: an empty cluster straight after initdb. Skipped when this version's exists. */
export async function buildPgliteTemplate(): Promise<boolean> {
  if (fs.existsSync(templateFile)) return false;
  const pglite = await PGlite.create();
  const dump = await pglite.dumpDataDir('gzip');
  await pglite.close();
  fs.mkdirSync(path.dirname(templateFile), { recursive: true });
  const partial = `${templateFile}.${process.pid}.tmp`;
  fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(partial, templateFile);
  return true;
}
