import fs from 'node:fs';
import net from 'node:net';

/** The kernel's range for port 0 and outgoing connections (Linux; the usual default elsewhere). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // Not Linux: assume the IANA range.
  }
  return [49152, 65535];
}

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/**
 * A TCP port free on 127.0.0.1, for a server that must come back at the same address after it is killed
 * and restarted (`deployment()` binds port 0, which would give the restarted process another port).
 * It is taken below the kernel's ephemeral range: while the server is down, no port-0 listener of another
 * test and no outgoing connection (such as the clients' own reconnection attempts) can be given it.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = 10_000;
  const high = Math.max(low + 1000, ephemeralLow - 1);
  for (let i = 0; i < 100; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${low} and ${high}`);
}
