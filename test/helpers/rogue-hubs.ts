import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

async function listen(t: TestContext, server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A hub (or a man in the middle) on a loopback port that answers every request as `answer` says. */
export async function hubAnswering(t: TestContext, answer: (method: string, path: string) => { status: number; body: unknown }): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const { status, body } = answer(req.method ?? '', req.url ?? '');
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  return listen(t, server);
}

/**
 * A hub that announces a keep-alive of two seconds and resets a connection reused after one second
 * idle: a client that reuses it then meets what one meets that writes as the hub closes the socket.
 */
export async function hubResettingIdle(t: TestContext, answer: (method: string, path: string) => { status: number; body: unknown }): Promise<string> {
  const idleSince = new WeakMap<net.Socket, number>();
  const server = http.createServer((req, res) => {
    const since = idleSince.get(req.socket);
    if (since !== undefined && Date.now() - since >= 1000) return void req.socket.resetAndDestroy();
    req.resume();
    req.on('end', () => {
      const { status, body } = answer(req.method ?? '', req.url ?? '');
      res.setHeader('keep-alive', 'timeout=2');
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      res.on('finish', () => idleSince.set(req.socket, Date.now()));
    });
  });
  server.keepAliveTimeout = 60_000;
  return listen(t, server);
}

/**
 * A hub that accepts the connection and then sends its answer's head one byte every 100 ms: never
 * idle long enough for an idle timeout, and never done.
 */
export async function hubTrickling(t: TestContext): Promise<string> {
  const head = `HTTP/1.1 200 OK\r\nX-Padding: ${'x'.repeat(100_000)}`;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.resume();
    let at = 0;
    const drip = setInterval(() => socket.write(head[at++ % head.length]!), 100);
    socket.on('close', () => {
      clearInterval(drip);
      sockets.delete(socket);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A hub whose answer to every request is a JSON object that never ends, sent as fast as the client reads. */
export async function hubEndless(t: TestContext): Promise<string> {
  const chunk = 'a'.repeat(1 << 16);
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"repo":"acme","tasks":[],"pad":"');
    let stopped = false;
    res.on('close', () => {
      stopped = true;
    });
    const pump = () => {
      while (!stopped) if (!res.write(chunk)) return void res.once('drain', pump);
    };
    pump();
  });
  return listen(t, server);
}
