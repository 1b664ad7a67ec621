import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../core/app-error.ts';

/**
 * Hono's bodyLimit answering PAYLOAD_TOO_LARGE, without asking for the body stream where it need not:
 * on the Node adapter that builds a whole fetch Request per request, and the JSON body is then read
 * through it instead of straight from the socket. GET and HEAD have no body there, and a declared
 * length is checked from the header as bodyLimit itself does; only a chunked body is counted as it streams.
 */
export function limitBody(maxSize: number): MiddlewareHandler {
  const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', 413, { params: { limit: Math.round(maxSize / 1024) } });
  const counted = bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge();
    },
  });
  return async function limitBody(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return counted(c, next);
    if (parseInt(length, 10) > maxSize) throw tooLarge();
    return next();
  };
}
