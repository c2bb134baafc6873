import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from './server.js';
import type { SqlStore } from './sql-store.js';

export interface RunningHub {
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes the store. */
  close(): Promise<void>;
}

export async function startHub(store: SqlStore, options: { host?: string; port?: number; log?: (line: string) => void } = {}): Promise<RunningHub> {
  const app = createApp(store, { log: options.log });
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Idle keep-alive sockets would hold close() open; busy ones finish their request first.
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      }).then(() => store.close())),
  };
}
