import type { Readable } from 'node:stream';

/** Bytes `start` to `end`, both included, as in an HTTP Range. */
export type ByteRange = { start: number; end: number };

/**
 * Where file contents live. Keys are chosen by the files domain (`<workspace slug>/<yyyy>/<mm>/<id>`),
 * never by a client. Every backend leaves nothing behind when a put fails, whatever the reason.
 */
export type FileStore = {
  readonly kind: 'disk' | 's3';
  /** Stores `body` under `key`; past `maxBytes` it stops reading and throws FileTooLargeError. */
  put(key: string, body: AsyncIterable<Uint8Array>, options: { maxBytes: number; contentType: string }): Promise<{ size: number }>;
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** The stored size, or null when there is nothing under `key`. */
  head(key: string): Promise<{ size: number } | null>;
  /** Deleting a key that is not there is not an error. */
  delete(key: string): Promise<void>;
};

export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
}

/** Passes `body` through, failing as soon as it has yielded more than `maxBytes`. */
export async function* capped(body: AsyncIterable<Uint8Array>, maxBytes: number, counter: { size: number }): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    counter.size += chunk.byteLength;
    if (counter.size > maxBytes) throw new FileTooLargeError(`more than ${maxBytes} bytes`);
    yield chunk;
  }
}

const KEY = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

/** Keys are ours, but a disk path built from one must still never leave the store's folder. */
export function assertKey(key: string): void {
  if (!KEY.test(key) || key.includes('..')) throw new Error(`invalid file store key: ${key}`);
}
