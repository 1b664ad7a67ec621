import { readdir } from 'node:fs/promises';
import sharp from 'sharp';
import { expect } from 'vitest';
import { TEST_ADMIN_PASSWORD } from '../testing/index.ts';
import type { App } from '../http/create-app.ts';

/** Binary bodies and byte-exact answers, which the JSON test client does not do. */
export type Raw = { status: number; headers: Headers; bytes: Buffer; json: any };

let ip = 0;
/** A session token of its own for `login`, from a fresh address so that login throttling never interferes. */
export async function tokenFor(app: App, login = 'admin', password = TEST_ADMIN_PASSWORD): Promise<string> {
  const res = await app.request('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.88.${Math.floor(++ip / 250)}.${ip % 250}` },
    body: JSON.stringify({ login, password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function raw(res: Response): Promise<Raw> {
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: unknown = null;
  if (res.headers.get('content-type')?.startsWith('application/json')) json = JSON.parse(bytes.toString('utf8'));
  return { status: res.status, headers: res.headers, bytes, json };
}

export async function upload(app: App, token: string, content: Uint8Array | ReadableStream<Uint8Array>, name: string, type?: string, headers: Record<string, string> = {}): Promise<Raw> {
  const init: RequestInit & { duplex?: 'half' } = {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'x-file-name': encodeURIComponent(name), ...(type && { 'content-type': type }), ...headers },
    body: content,
  };
  if (content instanceof ReadableStream) init.duplex = 'half';
  return raw(await app.request('/api/v1/files', init));
}

export async function download(app: App, token: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return raw(await app.request(path, { method, headers: { authorization: `Bearer ${token}`, ...headers } }));
}

/** A body without a declared length, delivered in `chunks` pieces of `size` bytes. */
export function chunked(chunks: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ === chunks) controller.close();
      else controller.enqueue(new Uint8Array(size).fill(sent % 256));
    },
  });
}

export const png = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
export const jpeg = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 20, g: 90, b: 200 } } }).jpeg().toBuffer();

export async function filesUnder(root: string): Promise<string[]> {
  try {
    return (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
}
