// Worker-thread entry: owns the PGlite instance so that query execution never blocks the main event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { createPglite } from './create-pglite.ts';
import type { WorkerReply, WorkerRequest } from './pglite-worker-protocol.ts';

const port = parentPort!;
const post = (reply: WorkerReply) => port.postMessage(reply);

function serialiseError(error: unknown) {
  const e = error as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const key of ['code', 'detail', 'hint', 'position', 'schema', 'table', 'column', 'constraint', 'severity']) {
    if (e?.[key] !== undefined) fields[key] = e[key];
  }
  return { message: error instanceof Error ? error.message : String(error), fields };
}

try {
  const pglite = await createPglite((workerData as { dataDir: string | null }).dataDir);
  const listeners = new Map<string, () => Promise<void>>();
  port.on('message', async (request: WorkerRequest) => {
    try {
      switch (request.kind) {
        case 'query': {
          const result = await pglite.query(request.sql, [...request.params], { rowMode: 'object' });
          post({ kind: 'result', id: request.id, rows: result.rows as Record<string, unknown>[], affectedRows: result.affectedRows ?? null });
          break;
        }
        case 'exec': {
          const results = await pglite.exec(request.sql, { rowMode: 'object' });
          post({ kind: 'result', id: request.id, rows: results.flatMap((r) => r.rows as Record<string, unknown>[]), affectedRows: null });
          break;
        }
        case 'listen':
          if (!listeners.has(request.channel)) {
            listeners.set(request.channel, await pglite.listen(request.channel, (payload) => post({ kind: 'notify', channel: request.channel, payload })));
          }
          post({ kind: 'result', id: request.id, rows: [], affectedRows: null });
          break;
        case 'unlisten':
          await listeners.get(request.channel)?.();
          listeners.delete(request.channel);
          post({ kind: 'result', id: request.id, rows: [], affectedRows: null });
          break;
        case 'close':
          await pglite.close();
          post({ kind: 'result', id: request.id, rows: [], affectedRows: null });
          break;
      }
    } catch (error) {
      post({ kind: 'error', id: request.id, error: serialiseError(error) });
    }
  });
  post({ kind: 'ready' });
} catch (error) {
  post({ kind: 'failed', error: serialiseError(error) });
}
