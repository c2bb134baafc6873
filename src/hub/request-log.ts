import type { MiddlewareHandler } from 'hono';

/** Control characters (and `\`) escaped, so that a crafted path cannot forge or recolour a log line. */
export function escapeControl(text: string): string {
  return text.replace(/[\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) =>
    char === '\\' ? '\\\\' : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** One line per request: method, path, status and time taken. */
export function requestLog(write: (line: string) => void): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    write(`${c.req.method} ${escapeControl(c.req.path)} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`);
  };
}
