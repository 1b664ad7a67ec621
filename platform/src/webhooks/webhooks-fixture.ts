import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../testing/index.ts';

/** What a receiver does with one request: answer a status (with headers), or hold the answer back for `ms`. */
export type Reply = number | { status: number; headers?: Record<string, string> } | { hangMs: number };
export type Received = { path: string; headers: http.IncomingHttpHeaders; body: string };

/**
 * A real HTTP server on 127.0.0.1 that webhooks are delivered to. Each path answers the replies planned
 * for it in turn, then 200; every request is kept, by path.
 */
export async function startReceiver() {
  const received: Received[] = [];
  const plans = new Map<string, Reply[]>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body });
      const reply = plans.get(path)?.shift() ?? 200;
      if (typeof reply === 'object' && 'hangMs' in reply) {
        const timer = setTimeout(() => res.writeHead(200).end('late'), reply.hangMs);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      const { status, headers = {} } = typeof reply === 'number' ? { status: reply } : reply;
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ answered: status }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    url: (path: string) => base + path,
    plan: (path: string, ...replies: Reply[]) => plans.set(path, replies),
    at: (path: string) => received.filter((r) => r.path === path),
    all: received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** What a receiver should do with X-Threadbase-Signature, written out independently of the platform's code. */
export function signatureHolds(secret: string, request: Received): boolean {
  const timestamp = String(request.headers['x-threadbase-timestamp']);
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`);
  const given = Buffer.from(String(request.headers['x-threadbase-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Polls `read` until `done` holds; fails with the last value after `ms`. */
/** Waits for what the platform does in the background. */
export const until = eventually;
