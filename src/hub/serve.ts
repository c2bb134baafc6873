import { serve } from '@hono/node-server';
import type { AddressInfo, Socket } from 'node:net';
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
  // A browser opens spare connections ahead of use; one that never sent a request is no request
  // in flight, yet the idle sweep leaves it to the 60 s header timeout.
  const unused = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('data', () => unused.delete(socket));
    socket.once('close', () => unused.delete(socket));
  });
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        // Busy keep-alive sockets finish their request, then become idle; close those as they do,
        // or close() would wait out the keep-alive timeout.
        const http = server as unknown as { closeIdleConnections(): void };
        const sweep = setInterval(() => http.closeIdleConnections(), 20);
        server.close((error) => {
          clearInterval(sweep);
          if (error) reject(error);
          else resolve();
        });
        http.closeIdleConnections();
        for (const socket of unused) socket.destroy();
      }).then(() => store.close())),
  };
}
