import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
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
 * Node 24's V8 can abort the whole process ("Check failed: jit_page_->allocations_.erase(addr) == 1",
 * nodejs/node#64500) when a wasm-to-JS import wrapper that it compiled after 1,000 calls is freed while
 * WebAssembly instances come and go on several threads, as PGlite's do. Left on V8's generic wrapper, no
 * import wrapper is ever compiled or freed; measured here, PGlite is no slower for it. V8 flags are
 * process-wide, so whichever thread opens PGlite first sets it for all.
 */
function keepWasmImportsOnGenericWrappers(): void {
  v8.setFlagsFromString('--wasm-wrapper-tiering-budget=2147483647');
}

/**
 * Opens PGlite on a folder (or in memory). A new folder is restored from the template when there is
 * one: the same files initdb would write, in about half its time, which is most of a first start.
 */
export async function createPglite(dataDir: string | null): Promise<PGlite> {
  keepWasmImportsOnGenericWrappers();
  if (!dataDir) return PGlite.create();
  const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh && fs.existsSync(templateFile)) return PGlite.create(dataDir, { loadDataDir: await fs.openAsBlob(templateFile) });
  return PGlite.create(dataDir);
}

/** Writes the template: an empty cluster straight after initdb. Skipped when this version's exists. */
export async function buildPgliteTemplate(): Promise<boolean> {
  if (fs.existsSync(templateFile)) return false;
  keepWasmImportsOnGenericWrappers();
  const pglite = await PGlite.create();
  const dump = await pglite.dumpDataDir('gzip');
  await pglite.close();
  fs.mkdirSync(path.dirname(templateFile), { recursive: true });
  const partial = `${templateFile}.${process.pid}.tmp`;
  fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(partial, templateFile);
  return true;
}
