import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';

export type HttpFetchErrorCode =
  | 'SCRIPT_HTTP_INVALID'
  | 'SCRIPT_HTTP_HOST_NOT_ALLOWED'
  | 'SCRIPT_HTTP_PRIVATE_ADDRESS'
  | 'SCRIPT_HTTP_TIMEOUT'
  | 'SCRIPT_HTTP_TOO_LARGE'
  | 'SCRIPT_HTTP_FAILED';

/** A failed `http.fetch`; the sandbox hands `code` and `message` to the script as a HostError. */
export class HttpFetchError extends Error {
  override name = 'HttpFetchError';
  readonly code: HttpFetchErrorCode;
  constructor(code: HttpFetchErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

const MAX_URL_LENGTH = 2048;

/** `value` as a URL scripts may request, resolved against `base` when it is a redirect's Location. */
export function parseTarget(value: unknown, base?: URL): URL {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH) {
    throw new HttpFetchError('SCRIPT_HTTP_INVALID', `The url must be a string of at most ${MAX_URL_LENGTH} characters.`);
  }
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    throw new HttpFetchError('SCRIPT_HTTP_INVALID', `"${value}" is not an absolute URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpFetchError('SCRIPT_HTTP_INVALID', `Only http: and https: URLs can be fetched, not ${url.protocol} ones.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new HttpFetchError('SCRIPT_HTTP_INVALID', 'A URL may not contain a user name or password; send credentials in a header.');
  }
  return url;
}

/** An allow-list entry; without a port it allows only the scheme's standard port (80 or 443). */
type AllowedHost = { hostname: string; subdomainsOnly: boolean; port: string };

const ENTRY = /^(\[[^\]]*\]|[^:/\\?#@]*)(?::(\d{1,5}))?$/;

/** Entries are normalised as URL hosts are, so '0x7f.1' and 'BÜCHER.de' mean what a URL would; unreadable ones allow nothing. */
function parseAllowedHost(entry: string): AllowedHost | null {
  const subdomainsOnly = entry.startsWith('*.');
  const rest = subdomainsOnly ? entry.slice(2) : entry;
  const match = isIPv6(rest) ? ['', `[${rest}]`, undefined] : ENTRY.exec(rest);
  if (!match || (match[2] !== undefined && (Number(match[2]) < 1 || Number(match[2]) > 65535))) return null;
  try {
    const url = new URL(`http://${match[1]}/`);
    if (subdomainsOnly && isIP(bareHostname(url))) return null;
    return { hostname: url.hostname, subdomainsOnly, port: match[2] === undefined ? '' : String(Number(match[2])) };
  } catch {
    return null;
  }
}

export function isHostAllowed(url: URL, allowHosts: readonly string[]): boolean {
  const standardPort = url.protocol === 'https:' ? '443' : '80';
  return allowHosts.some((entry) => {
    const allowed = parseAllowedHost(entry.toLowerCase());
    if (!allowed) return false;
    const portMatches = allowed.port === url.port || (url.port === '' && allowed.port === standardPort);
    const hostMatches = allowed.subdomainsOnly
      ? !isIP(bareHostname(url)) && url.hostname.endsWith(`.${allowed.hostname}`)
      : url.hostname === allowed.hostname;
    return portMatches && hostMatches;
  });
}

/** The hostname as a resolver or socket wants it: IPv6 literals without their brackets. */
export function bareHostname(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

// IANA's special-purpose registries, plus multicast and the reserved 240/4 (which holds the broadcast address).
const NON_PUBLIC_IPV4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
// Special ranges inside global unicast 2000::/3; everything outside 2000::/3 is refused anyway. 6to4 is
// refused whole rather than unwrapped: it is obsolete, and a relay would carry it to the embedded IPv4 host.
const NON_PUBLIC_IPV6: [string, number][] = [['2001::', 23], ['2001:db8::', 32], ['2002::', 16], ['3fff::', 20]];

const nonPublic = new BlockList();
for (const [network, prefix] of NON_PUBLIC_IPV4) nonPublic.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of NON_PUBLIC_IPV6) nonPublic.addSubnet(network, prefix, 'ipv6');

/**
 * Whether `address` is a public unicast address. IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::/96)
 * addresses are judged by the IPv4 address they carry, since that is where the packets end up.
 */
export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return !nonPublic.check(address, 'ipv4');
  const unscoped = address.replace(/%.*$/s, '');
  if (!isIPv6(unscoped)) return false;
  const groups = ipv6Groups(unscoped);
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const mapped = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff;
  const nat64 = g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0;
  if (mapped || nat64) return isPublicAddress(`${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`);
  return (g0 & 0xe000) === 0x2000 && !nonPublic.check(unscoped, 'ipv6');
}

/** The eight 16-bit groups of a valid IPv6 address, '::' expanded and a dotted IPv4 tail converted. */
function ipv6Groups(address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const text = dotted
    ? `${address.slice(0, dotted.index)}${((Number(dotted[1]) << 8) | Number(dotted[2])).toString(16)}:${((Number(dotted[3]) << 8) | Number(dotted[4])).toString(16)}`
    : address;
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const before = parse(head);
  const after = tail === undefined ? [] : parse(tail);
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
}
