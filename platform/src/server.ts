import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Platform } from './core/platform.ts';
import { createApp } from './http/create-app.ts';

export type RunningServer = { url: string; port: number; close(): Promise<void> };

export async function serveHttp(platform: Platform, options: { port: number; host: string; spas?: boolean }): Promise<RunningServer> {
  const app = createApp(platform, { spas: options.spas });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(s));
    s.once('error', reject);
  });
  await platform.realtime.attach(platform, server as unknown as HttpServer);
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: async () => {
      await platform.realtime.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
