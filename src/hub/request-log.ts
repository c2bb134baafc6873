import type { MiddlewareHandler } from 'hono';
import { printable } from '../output/printable.js';

/** One line per request: method, path, status and time taken. */
export function requestLog(write: (line: string) => void): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    write(`${c.req.method} ${printable(c.req.path)} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`);
  };
}
