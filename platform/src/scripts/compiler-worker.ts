// Worker-thread entry: TypeScript's compiler and checker are CPU-bound (a 100 KB script takes about a
// second to check), so they run here and never hold up the main event loop, its requests and sockets.
import { parentPort } from 'node:worker_threads';
import { checkSource } from './check.ts';
import { compileScript } from './compile.ts';
import type { CompilerReply, CompilerRequest } from './compiler-protocol.ts';
import { libGlobalNames } from './lib-files.ts';
import { generateTypeDefinitions } from './type-definitions.ts';

const port = parentPort!;
const post = (reply: CompilerReply) => port.postMessage(reply);

// Lib files are parsed before the first request, so that its time limit counts the check alone.
libGlobalNames();
port.on('message', (request: CompilerRequest) => {
  try {
    if (request.kind === 'types') post({ id: request.id, kind: 'types', text: generateTypeDefinitions(request.objects, request.version) });
    else if (request.kind === 'compile') post({ id: request.id, kind: 'compile', result: compileScript(request.source, { locale: request.locale }) });
    else post({ id: request.id, kind: 'check', result: checkSource(request.source, request.types, request.locale) });
  } catch (error) {
    post({ id: request.id, kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
post({ kind: 'ready' });
