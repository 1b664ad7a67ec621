import type { LookupAddress } from 'node:dns';
import { lookup as systemLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { bareHostname, HttpFetchError, isHostAllowed, isPublicAddress, parseTarget } from './http-guard.ts';

export { HttpFetchError, type HttpFetchErrorCode } from './http-guard.ts';

export type HttpFetchPolicy = {
  /** Hosts an administrator allowed: 'api.example.com', '*.example.com' (any subdomain, not the apex), optionally with ':port' ('erp.local:8443'); case-insensitive; IP literals allowed as entries too. */
  allowHosts: readonly string[];
  /** Set by the operator (deployment setting), never by a workspace admin: lets allowed hosts resolve to loopback/private addresses (intranet ERPs). Default false. */
  allowPrivateAddresses: boolean;
  /** The whole call: every redirect, and the body. */
  timeoutMs: number;
  maxResponseBytes: number;
  maxRequestBytes: number;
};
export type HttpFetchInit = { method?: string; headers?: Record<string, string>; body?: string };
export type HttpFetchResponse = { status: number; ok: boolean; headers: Record<string, string>; body: string };

/** Tests swap the resolver to play DNS tricks; production uses the system's, as every other connection does. */
export type HttpFetchOptions = { resolve?: (hostname: string) => Promise<LookupAddress[]> };

type Request = { method: string; headers: Record<string, string>; body: string | undefined };

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
// Headers that describe the connection or the framing, which are ours to set; `proxy-*` are refused too.
const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect']);
const HEADER_NAME = /^[!#$%&'*+.^`|~\w-]+$/;
// What Node accepts in a header value: no control characters but tab, nothing beyond Latin-1.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;
// Sent to another origin, these would hand the first host's credentials to the second.
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie']);

const resolveWithSystem = (hostname: string) => systemLookup(hostname, { all: true });

/**
 * The scripts' `http.fetch`: `url` and `init` come from the guest as they are. Only hosts on the allow-list
 * are reached, and unless the operator allows it, only at public addresses; each name is resolved once and
 * the connection goes to the addresses that were checked. Redirects are followed by hand, each one checked
 * again. Failures are HttpFetchErrors; `signal` ends the call when the run ends.
 */
export async function guardedFetch(
  url: unknown,
  init: unknown,
  policy: HttpFetchPolicy,
  signal?: AbortSignal,
  options: HttpFetchOptions = {},
): Promise<HttpFetchResponse> {
  let target = parseTarget(url);
  let request = parseInit(init, policy);
  const call = new AbortController();
  const timer = setTimeout(() => {
    call.abort(new HttpFetchError('SCRIPT_HTTP_TIMEOUT', `The request to ${target.host} took longer than ${policy.timeoutMs} ms.`));
  }, policy.timeoutMs);
  const cancel = () => call.abort(new HttpFetchError('SCRIPT_HTTP_FAILED', 'The request was cancelled because the script run ended.'));
  if (signal?.aborted) cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (let redirects = 0; ; redirects++) {
      call.signal.throwIfAborted();
      const addresses = await untilAborted(checkedAddresses(target, policy, options.resolve ?? resolveWithSystem), call.signal);
      const response = await send(target, addresses, request, policy.maxResponseBytes, call.signal);
      const location = REDIRECTS.has(response.status) ? response.headers.location : undefined;
      if (location === undefined) return response;
      if (redirects === MAX_REDIRECTS) {
        throw new HttpFetchError('SCRIPT_HTTP_FAILED', `${target.host} redirected more than ${MAX_REDIRECTS} times in a row.`);
      }
      const next = parseTarget(location, target);
      request = redirected(request, response.status, target.origin === next.origin);
      target = next;
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
  }
}

function parseInit(init: unknown, policy: HttpFetchPolicy): Request {
  if (init === undefined || init === null) return { method: 'GET', headers: {}, body: undefined };
  if (!isRecord(init)) throw invalid('The second argument must be an object with method, headers and body.');
  const unknown = Object.keys(init).find((key) => key !== 'method' && key !== 'headers' && key !== 'body');
  if (unknown !== undefined) throw invalid(`Unknown option "${unknown}"; fetch takes method, headers and body.`);
  const method = init.method === undefined ? 'GET' : typeof init.method === 'string' ? init.method.toUpperCase() : '';
  if (!METHODS.has(method)) throw invalid(`The method must be one of ${[...METHODS].join(', ')}.`);
  const { body } = init;
  if (body !== undefined && typeof body !== 'string') throw invalid('The body must be a string; JSON.stringify objects first.');
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) throw invalid(`A ${method} request cannot have a body.`);
  const size = body === undefined ? 0 : Buffer.byteLength(body, 'utf8');
  if (size > policy.maxRequestBytes) {
    throw new HttpFetchError('SCRIPT_HTTP_TOO_LARGE', `The request body is ${size} bytes, more than the limit of ${policy.maxRequestBytes}.`);
  }
  return { method, headers: parseHeaders(init.headers), body };
}

function parseHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (!isRecord(headers)) throw invalid('The headers must be an object of header names and string values.');
  const entries = Object.entries(headers);
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name)) throw invalid(`"${name}" is not a valid header name.`);
    const lower = name.toLowerCase();
    if (FORBIDDEN_HEADERS.has(lower) || lower.startsWith('proxy-')) throw invalid(`The ${name} header is set by the platform; scripts cannot set it.`);
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      throw invalid(`The ${name} header must be a string without line breaks or characters beyond Latin-1 (encode other text, e.g. with encodeURIComponent).`);
    }
  }
  // fromEntries defines own properties, so a "__proto__" header stays a header.
  return Object.fromEntries(entries) as Record<string, string>;
}

/** The request for the next hop, as fetch() would make it. */
function redirected(request: Request, status: number, sameOrigin: boolean): Request {
  const headers = sameOrigin ? request.headers : Object.fromEntries(Object.entries(request.headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())));
  const becomesGet = (status === 303 && request.method !== 'HEAD') || ((status === 301 || status === 302) && request.method === 'POST');
  if (!becomesGet) return { ...request, headers };
  const withoutBodyHeaders = Object.fromEntries(Object.entries(headers).filter(([name]) => !name.toLowerCase().startsWith('content-')));
  return { method: 'GET', headers: withoutBodyHeaders, body: undefined };
}

/** Checks the host against the allow-list and every address it resolves to; answers those addresses. */
async function checkedAddresses(target: URL, policy: HttpFetchPolicy, resolve: (hostname: string) => Promise<LookupAddress[]>): Promise<LookupAddress[]> {
  if (!isHostAllowed(target, policy.allowHosts)) {
    throw new HttpFetchError(
      'SCRIPT_HTTP_HOST_NOT_ALLOWED',
      `Scripts may not call ${target.host}: it is not an allowed host. An administrator can add it in the script settings.`,
    );
  }
  const hostname = bareHostname(target);
  const family = isIP(hostname);
  const addresses = family === 0 ? await resolveName(hostname, resolve) : [{ address: hostname, family }];
  if (!policy.allowPrivateAddresses && !addresses.every((entry) => isPublicAddress(entry.address))) {
    throw new HttpFetchError('SCRIPT_HTTP_PRIVATE_ADDRESS', `Scripts may not call ${target.host}: it is a loopback, private or otherwise non-public network address.`);
  }
  return addresses;
}

async function resolveName(hostname: string, resolve: (hostname: string) => Promise<LookupAddress[]>): Promise<LookupAddress[]> {
  const addresses = await resolve(hostname).catch((error: unknown) => {
    throw new HttpFetchError('SCRIPT_HTTP_FAILED', `Could not find the address of ${hostname}.`, { cause: error });
  });
  if (addresses.length === 0) throw new HttpFetchError('SCRIPT_HTTP_FAILED', `Could not find the address of ${hostname}.`);
  return addresses;
}

/** One hop. Redirects answer without their body, which nobody reads. */
function send(target: URL, addresses: LookupAddress[], request: Request, maxResponseBytes: number, signal: AbortSignal): Promise<HttpFetchResponse> {
  return new Promise<HttpFetchResponse>((resolve, reject) => {
    // A signal that is already aborted would never call the listener below.
    signal.throwIfAborted();
    // The names were resolved and checked already: connect to those addresses and ask nobody again.
    // (An IP literal is never looked up.)
    const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
      const [first] = addresses;
      if (lookupOptions.all) callback(null, addresses);
      else callback(null, first?.address ?? '', first?.family);
    };
    // No agent: a pooled connection could lead to an address this call never checked.
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, { method: request.method, headers: request.headers, agent: false, lookup });
    const abort = () => {
      reject(signal.reason);
      req.destroy();
    };
    signal.addEventListener('abort', abort, { once: true });
    const settle = <T>(fn: (value: T) => void) => (value: T) => {
      signal.removeEventListener('abort', abort);
      fn(value);
    };
    const fail = settle((error: unknown) => reject(error instanceof HttpFetchError ? error : failed(target, error)));
    req.on('error', fail);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const headers = joinHeaders(res.rawHeaders);
      const response = (body: string) => ({ status, ok: status >= 200 && status < 300, headers, body });
      if (REDIRECTS.has(status) && headers.location !== undefined) {
        res.destroy();
        settle(resolve)(response(''));
        return;
      }
      readBody(res, target, maxResponseBytes).then((body) => settle(resolve)(response(body)), fail);
    });
    req.end(request.body);
  });
}

async function readBody(res: IncomingMessage, target: URL, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.destroy();
      throw new HttpFetchError('SCRIPT_HTTP_TOO_LARGE', `The response from ${target.host} is larger than the limit of ${maxBytes} bytes.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Lower-cased names; repeated headers (Set-Cookie too) joined with ', '. */
function joinHeaders(raw: string[]): Record<string, string> {
  const headers = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? (raw[i + 1] ?? '') : `${previous}, ${raw[i + 1] ?? ''}`);
  }
  return Object.fromEntries(headers);
}

function failed(target: URL, error: unknown): HttpFetchError {
  const reason = error instanceof Error ? error.message : String(error);
  return new HttpFetchError('SCRIPT_HTTP_FAILED', `The request to ${target.host} failed: ${reason}`, { cause: error });
}

/** Resolving a name cannot be cancelled, but the call need not wait for it. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): HttpFetchError {
  return new HttpFetchError('SCRIPT_HTTP_INVALID', message);
}
