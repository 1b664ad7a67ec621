import type { LookupAddress } from 'node:dns';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { guardedFetch, type HttpFetchPolicy } from './http-fetch.ts';
import { isPublicAddress } from './http-guard.ts';

let server: Server;
let port: number;
let base: string;
/** Paths the server was asked for, to show that a refused call never left the host. */
let hits: string[];
/** Settles when the server sees a /hang connection close. */
let hangClosed: Promise<void>;

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://server');
    hits.push(url.pathname);
    const param = (name: string) => url.searchParams.get(name) ?? '';
    switch (url.pathname) {
      case '/echo': {
        const body = await readAll(req);
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
        return;
      }
      case '/redirect':
        res.writeHead(Number(param('status') || 302), { Location: param('to') }).end();
        return;
      case '/chain': {
        const left = Number(param('left'));
        if (left === 0) res.end('arrived');
        else res.writeHead(302, { Location: `/chain?left=${left - 1}` }).end();
        return;
      }
      case '/headers':
        res.setHeader('X-Multi', ['one', 'two']);
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.end('ok');
        return;
      case '/missing':
        res.writeHead(404).end('no such thing');
        return;
      case '/big':
        res.end('x'.repeat(Number(param('bytes'))));
        return;
      case '/stall-body':
        res.writeHead(200).write('the start, and never the end');
        return;
      case '/hang':
        hangClosed = new Promise((resolve) => req.socket.once('close', () => resolve()));
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  hits = [];
});

function policy(overrides: Partial<HttpFetchPolicy> = {}): HttpFetchPolicy {
  return { allowHosts: [`127.0.0.1:${port}`], allowPrivateAddresses: true, timeoutMs: 2000, maxResponseBytes: 10_000, maxRequestBytes: 1000, ...overrides };
}

/** A resolver that answers from `table` and remembers what it was asked. */
function fakeResolver(table: Record<string, string[]>) {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: isIP(address) }));
  };
  return { asked, resolve };
}

type Echo = { method: string; headers: Record<string, string>; body: string };
const echoed = (response: { body: string }) => JSON.parse(response.body) as Echo;

describe('guardedFetch on an allowed host', () => {
  test('answers the status, the lower-cased headers and the body as text', async () => {
    const response = await guardedFetch(`${base}/echo`, undefined, policy());
    expect(response).toMatchObject({ status: 200, ok: true, headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(echoed(response)).toMatchObject({ method: 'GET', body: '' });
  });

  test('sends the method, the headers and the body as given, as UTF-8', async () => {
    const init = { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'k1' }, body: '{"name":"你好"}' };
    const response = await guardedFetch(`${base}/echo`, init, policy());
    expect(echoed(response)).toMatchObject({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k1', 'content-length': '17', host: `127.0.0.1:${port}` },
      body: '{"name":"你好"}',
    });
  });

  test('accepts the method in lower case', async () => {
    const response = await guardedFetch(`${base}/echo`, { method: 'put', body: 'x' }, policy());
    expect(echoed(response).method).toBe('PUT');
  });

  test('joins repeated response headers with ", "', async () => {
    const response = await guardedFetch(`${base}/headers`, {}, policy());
    expect(response.headers).toMatchObject({ 'x-multi': 'one, two', 'set-cookie': 'a=1, b=2' });
  });

  test('answers an error status rather than throwing, with ok false', async () => {
    expect(await guardedFetch(`${base}/missing`, null, policy())).toMatchObject({ status: 404, ok: false, body: 'no such thing' });
  });

  test('reaches a name through the system resolver', async () => {
    const response = await guardedFetch(`http://localhost:${port}/echo`, {}, policy({ allowHosts: [`localhost:${port}`] }));
    expect(echoed(response).headers.host).toBe(`localhost:${port}`);
  });
});

describe('the allow-list', () => {
  test('refuses a host that is not on it, naming the host and who can add it, before resolving or connecting', async () => {
    const dns = fakeResolver({ 'other.test': ['127.0.0.1'] });
    const call = guardedFetch(`http://other.test:${port}/echo`, {}, policy(), undefined, dns);
    await expect(call).rejects.toMatchObject({
      code: 'SCRIPT_HTTP_HOST_NOT_ALLOWED',
      message: expect.stringMatching(new RegExp(`other\\.test:${port}.*administrator can add it in the script settings`)),
    });
    expect(dns.asked).toEqual([]);
    expect(hits).toEqual([]);
  });

  test('matches "*.example.com" to any subdomain, but not to example.com itself or to evil-example.com', async () => {
    const allowed = policy({ allowHosts: [`*.example.com:${port}`] });
    const dns = fakeResolver(Object.fromEntries(['sub.example.com', 'a.b.example.com', 'example.com', 'evil-example.com'].map((host) => [host, ['127.0.0.1']])));
    for (const host of ['sub.example.com', 'a.b.example.com']) {
      expect((await guardedFetch(`http://${host}:${port}/echo`, {}, allowed, undefined, dns)).status).toBe(200);
    }
    for (const host of ['example.com', 'evil-example.com']) {
      await expect(guardedFetch(`http://${host}:${port}/echo`, {}, allowed, undefined, dns)).rejects.toMatchObject({ code: 'SCRIPT_HTTP_HOST_NOT_ALLOWED' });
    }
  });

  test('compares hosts case-insensitively and in the form a URL normalises them to', async () => {
    const dns = fakeResolver({ 'api.example.com': ['127.0.0.1'] });
    expect((await guardedFetch(`http://API.Example.com:${port}/echo`, {}, policy({ allowHosts: [`api.EXAMPLE.com:${port}`] }), undefined, dns)).ok).toBe(true);
    expect((await guardedFetch(`${base}/echo`, {}, policy({ allowHosts: [`0x7f.1:${port}`] }))).ok).toBe(true);
  });

  test('refuses another port than the one an entry names', async () => {
    await expect(guardedFetch(`http://127.0.0.1:${port + 1}/echo`, {}, policy())).rejects.toMatchObject({ code: 'SCRIPT_HTTP_HOST_NOT_ALLOWED' });
  });

  test('allows only the standard port for an entry without one', async () => {
    await expect(guardedFetch(`${base}/echo`, {}, policy({ allowHosts: ['127.0.0.1'] }))).rejects.toMatchObject({ code: 'SCRIPT_HTTP_HOST_NOT_ALLOWED' });
    await expect(guardedFetch('http://127.0.0.1:443/', {}, policy({ allowHosts: ['127.0.0.1'] }))).rejects.toMatchObject({ code: 'SCRIPT_HTTP_HOST_NOT_ALLOWED' });
  });

  test('lets nothing through for entries it cannot read', async () => {
    const allowHosts = ['', '*', '*.', 'example.com/path', 'user@127.0.0.1', `127.0.0.1:99999`, '*.127.0.0.1'];
    await expect(guardedFetch(`${base}/echo`, {}, policy({ allowHosts }))).rejects.toMatchObject({ code: 'SCRIPT_HTTP_HOST_NOT_ALLOWED' });
  });
});

describe('private addresses', () => {
  const refused = [
    'http://127.0.0.1/',
    'http://localhost/',
    'http://[::1]/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://10.0.0.1/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[64:ff9b::10.0.0.1]/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://0177.0.0.1/',
    'http://127.1/',
  ];
  test.each(refused)('refuses %s when the operator has not allowed them, even when its host is allowed', async (url) => {
    const allowed = policy({ allowPrivateAddresses: false, allowHosts: [new URL(url).host] });
    await expect(guardedFetch(url, {}, allowed)).rejects.toMatchObject({ code: 'SCRIPT_HTTP_PRIVATE_ADDRESS' });
  });

  test('refuses a name when any of its addresses is private', async () => {
    const dns = fakeResolver({ 'mixed.test': ['93.184.215.14', '10.0.0.1'] });
    const call = guardedFetch('https://mixed.test/', {}, policy({ allowPrivateAddresses: false, allowHosts: ['mixed.test'] }), undefined, dns);
    await expect(call).rejects.toMatchObject({ code: 'SCRIPT_HTTP_PRIVATE_ADDRESS', message: expect.stringContaining('mixed.test') });
  });

  test('connects to the address that was checked, without resolving the name a second time', async () => {
    // A rebinding resolver: the second answer would point somewhere the check never saw.
    let answers = 0;
    const resolve = async (): Promise<LookupAddress[]> => [{ address: answers++ === 0 ? '127.0.0.1' : '192.0.2.1', family: 4 }];
    const response = await guardedFetch(`http://rebind.test:${port}/echo`, {}, policy({ allowHosts: [`rebind.test:${port}`] }), undefined, { resolve });
    expect(echoed(response).headers.host).toBe(`rebind.test:${port}`);
    expect(answers).toBe(1);
  });

  test.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('counts %s as public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  test.each(['198.18.0.1', '192.0.2.1', '240.0.0.1', '2001:db8::1', '2002:7f00:1::1', '::7f00:1', '64:ff9b:1::1', 'fe80::1%eth0', 'ff02::1', 'not an address'])(
    'counts %s as not public',
    (address) => {
      expect(isPublicAddress(address)).toBe(false);
    },
  );
});

describe('the url', () => {
  test.each(['file:///etc/passwd', `ftp://127.0.0.1:${21}/`, 'data:text/plain,hello', 'javascript:alert(1)', 'ws://127.0.0.1/'])('refuses %s: only http and https', async (url) => {
    await expect(guardedFetch(url, {}, policy())).rejects.toMatchObject({ code: 'SCRIPT_HTTP_INVALID', message: expect.stringContaining('http') });
  });

  test.each(['user:secret@', 'user@', ':secret@'])('refuses a user name or password (%s) before connecting', async (userinfo) => {
    await expect(guardedFetch(`http://${userinfo}127.0.0.1:${port}/echo`, {}, policy())).rejects.toMatchObject({ code: 'SCRIPT_HTTP_INVALID' });
    expect(hits).toEqual([]);
  });

  test.each([
    ['a number', 42],
    ['missing', undefined],
    ['relative', '/echo'],
    ['over 2048 characters', `http://127.0.0.1/${'a'.repeat(2048)}`],
  ])('refuses a url that is %s', async (_, url) => {
    await expect(guardedFetch(url, {}, policy())).rejects.toMatchObject({ code: 'SCRIPT_HTTP_INVALID' });
  });
});

describe('the request options', () => {
  test.each([
    ['not an object', 'POST'],
    ['an unknown option', { redirect: 'manual' }],
    ['an unknown method', { method: 'CONNECT' }],
    ['TRACE', { method: 'TRACE' }],
    ['a method that is not a string', { method: 1 }],
    ['headers as an array', { headers: [['x-a', '1']] }],
    ['a header value that is not a string', { headers: { 'x-a': 1 } }],
    ['a header value with a line break', { headers: { 'x-a': 'one\r\nx-injected: two' } }],
    ['a header value beyond Latin-1', { headers: { 'x-name': '你好' } }],
    ['a header name with a space', { headers: { 'x a': '1' } }],
    ['a header name with a line break', { headers: { 'x-a\n': '1' } }],
    ['a Host header', { headers: { Host: 'elsewhere.test' } }],
    ['a Content-Length header', { headers: { 'content-length': '1' } }],
    ['a Transfer-Encoding header', { headers: { 'transfer-encoding': 'chunked' } }],
    ['a Connection header', { headers: { connection: 'upgrade' } }],
    ['a Proxy-Authorization header', { headers: { 'proxy-authorization': 'Basic x' } }],
    ['a body that is not a string', { method: 'POST', body: { a: 1 } }],
    ['a body on a GET', { body: 'x' }],
    ['a body on a HEAD', { method: 'HEAD', body: 'x' }],
  ])('refuses %s without connecting', async (_, init) => {
    await expect(guardedFetch(`${base}/echo`, init, policy())).rejects.toMatchObject({ code: 'SCRIPT_HTTP_INVALID' });
    expect(hits).toEqual([]);
  });

  test('refuses a body over maxRequestBytes, counted in UTF-8 bytes', async () => {
    const call = guardedFetch(`${base}/echo`, { method: 'POST', body: '你好' }, policy({ maxRequestBytes: 5 }));
    await expect(call).rejects.toMatchObject({ code: 'SCRIPT_HTTP_TOO_LARGE', message: expect.stringContaining('6 bytes') });
    expect(hits).toEqual([]);
  });
});

describe('redirects', () => {
  const both = () => policy({ allowHosts: [`127.0.0.1:${port}`, `localhost:${port}`] });
  const redirect = (to: string, status = 302) => `${base}/redirect?status=${status}&to=${encodeURIComponent(to)}`;

  test('are followed to an allowed host', async () => {
    const response = await guardedFetch(redirect(`http://localhost:${port}/echo`), {}, both());
    expect(response.status).toBe(200);
    expect(echoed(response).headers.host).toBe(`localhost:${port}`);
  });

  test('are followed when the location is relative', async () => {
    expect((await guardedFetch(redirect('/missing', 301), {}, policy())).status).toBe(404);
  });

  test('to a host that is not allowed are refused, naming that host', async () => {
    const call = guardedFetch(redirect('http://elsewhere.test/'), {}, policy());
    await expect(call).rejects.toMatchObject({ code: 'SCRIPT_HTTP_HOST_NOT_ALLOWED', message: expect.stringContaining('elsewhere.test') });
  });

  test('to another scheme are refused', async () => {
    await expect(guardedFetch(redirect('file:///etc/passwd'), {}, policy())).rejects.toMatchObject({ code: 'SCRIPT_HTTP_INVALID' });
  });

  test('are followed three times in a row, not four', async () => {
    expect((await guardedFetch(`${base}/chain?left=3`, {}, policy())).body).toBe('arrived');
    await expect(guardedFetch(`${base}/chain?left=4`, {}, policy())).rejects.toMatchObject({ code: 'SCRIPT_HTTP_FAILED', message: expect.stringContaining('more than 3') });
  });

  test('turn a POST into a GET without its body after 302 and 303, as fetch does', async () => {
    for (const status of [302, 303]) {
      const init = { method: 'POST', headers: { 'content-type': 'text/plain', 'x-keep': 'yes' }, body: 'payload' };
      const echo = echoed(await guardedFetch(redirect('/echo', status), init, policy()));
      expect(echo).toMatchObject({ method: 'GET', body: '', headers: { 'x-keep': 'yes' } });
      expect(echo.headers['content-type']).toBeUndefined();
    }
  });

  test('keep the method and body after 307 and 308', async () => {
    for (const status of [307, 308]) {
      const echo = echoed(await guardedFetch(redirect('/echo', status), { method: 'PATCH', body: 'payload' }, policy()));
      expect(echo).toMatchObject({ method: 'PATCH', body: 'payload' });
    }
  });

  test('keep credentials on the same origin and drop them for another one', async () => {
    const headers = { Authorization: 'Bearer t', Cookie: 'session=s', 'X-Other': 'o' };
    const same = echoed(await guardedFetch(redirect('/echo'), { headers }, both()));
    expect(same.headers).toMatchObject({ authorization: 'Bearer t', cookie: 'session=s', 'x-other': 'o' });
    const other = echoed(await guardedFetch(redirect(`http://localhost:${port}/echo`), { headers }, both()));
    expect(other.headers).toMatchObject({ 'x-other': 'o' });
    expect(other.headers).not.toHaveProperty('authorization');
    expect(other.headers).not.toHaveProperty('cookie');
  });
});

describe('limits and cancellation', () => {
  test('a server that never answers times out', async () => {
    const started = Date.now();
    const call = guardedFetch(`${base}/hang`, {}, policy({ timeoutMs: 200 }));
    await expect(call).rejects.toMatchObject({ code: 'SCRIPT_HTTP_TIMEOUT', message: expect.stringContaining('200 ms') });
    expect(Date.now() - started).toBeLessThan(1500);
    await hangClosed;
  });

  test('the timeout covers the body too', async () => {
    await expect(guardedFetch(`${base}/stall-body`, {}, policy({ timeoutMs: 200 }))).rejects.toMatchObject({ code: 'SCRIPT_HTTP_TIMEOUT' });
  });

  test('a response body up to maxResponseBytes is read, a larger one refused', async () => {
    expect((await guardedFetch(`${base}/big?bytes=1000`, {}, policy({ maxResponseBytes: 1000 }))).body).toHaveLength(1000);
    await expect(guardedFetch(`${base}/big?bytes=1001`, {}, policy({ maxResponseBytes: 1000 }))).rejects.toMatchObject({ code: 'SCRIPT_HTTP_TOO_LARGE' });
  });

  test('aborting the signal ends the call and closes the connection', async () => {
    const controller = new AbortController();
    const call = guardedFetch(`${base}/hang`, {}, policy(), controller.signal);
    await expect.poll(() => hits).toContain('/hang');
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'SCRIPT_HTTP_FAILED', message: expect.stringContaining('cancelled') });
    await hangClosed;
  });

  test('an aborted signal ends the call before it connects', async () => {
    await expect(guardedFetch(`${base}/echo`, {}, policy(), AbortSignal.abort())).rejects.toMatchObject({ code: 'SCRIPT_HTTP_FAILED' });
    expect(hits).toEqual([]);
  });
});

describe('network failures', () => {
  test('a refused connection fails', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const call = guardedFetch(`http://127.0.0.1:${closedPort}/`, {}, policy({ allowHosts: [`127.0.0.1:${closedPort}`] }));
    await expect(call).rejects.toMatchObject({ code: 'SCRIPT_HTTP_FAILED', message: expect.stringContaining('ECONNREFUSED') });
  });

  test('a name that does not resolve fails', async () => {
    const dns = fakeResolver({});
    const call = guardedFetch('https://nowhere.test/', {}, policy({ allowHosts: ['nowhere.test'] }), undefined, dns);
    await expect(call).rejects.toMatchObject({ code: 'SCRIPT_HTTP_FAILED', message: expect.stringContaining('nowhere.test') });
  });
});
