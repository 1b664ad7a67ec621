import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { App } from '../http/create-app.ts';
import { serveHttp, type RunningServer } from '../server.ts';
import { apiClient, type TestPlatform } from '../testing/index.ts';

export type TestClient = { socket: Socket; seen: { event: string; data: any }[]; call: (event: string, payload?: unknown) => Promise<any> };

let logins = 0;
/** A session token, from an address of its own so that login throttling never meets another test. */
export async function tokenOf(app: App, login: string, password: string): Promise<string> {
  const res = await apiClient(app).post('/api/v1/auth/login', { login, password }, { headers: { 'x-forwarded-for': `10.88.${Math.floor(++logins / 250)}.${logins % 250}` } });
  if (res.status !== 200) throw new Error(`login ${login} failed: ${res.status}`);
  return res.body.token as string;
}

/** A connected client; `seen` collects every event it receives, in order. `open` lists it for closing. */
export async function socketClient(url: string, token: string, open: Socket[]): Promise<TestClient> {
  const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false });
  open.push(socket);
  const seen: { event: string; data: any }[] = [];
  socket.onAny((event, data) => seen.push({ event, data }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const call = (event: string, payload?: unknown) => socket.timeout(5000).emitWithAck(event, payload) as Promise<any>;
  return { socket, seen, call };
}

/** Waits (up to 5 s) until `find` answers something other than undefined or false. */
export async function until<T>(find: () => T | undefined | false | Promise<T | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}`);
}

/**
 * A platform served over HTTP for one test file's sockets: `start` makes it, and whatever its tests need,
 * before them; each socket `connect` opens (or `track` is given) is closed after each test; everything
 * stops after the file.
 */
export function servedForSockets(start: () => Promise<{ t: TestPlatform }>) {
  let t: TestPlatform;
  let server: RunningServer;
  const open: Socket[] = [];
  beforeAll(async () => {
    ({ t } = await start());
    server = await serveHttp(t.platform, { port: 0, host: '127.0.0.1', spas: false });
  }, 120_000);
  afterEach(() => {
    for (const s of open.splice(0)) s.disconnect();
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });
  return {
    url: () => server.url,
    connect: async (login: string, password: string) => socketClient(server.url, await tokenOf(t.app, login, password), open),
    track: (socket: Socket) => void open.push(socket),
  };
}
