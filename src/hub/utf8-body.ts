import { isUtf8 } from 'node:buffer';
import type { MiddlewareHandler } from 'hono';

/**
 * How long a body may take to arrive once its request holds a slot: a client that trickles one
 * in (a byte every few seconds) would otherwise hold the slot, and four such hold a SQLite hub.
 */
export const BODY_DEADLINE_MS = 5000;

/**
 * A request body must be JSON, and UTF-8. Decoding would put U+FFFD for each bad byte, so two ids that
 * differ only there would name one task, and a note would not come back as it went in. Each route
 * puts it just before its JSON, after its token check: the body is read only where it would be,
 * and only for BODY_DEADLINE_MS (408 past it, the connection closed).
 */
export function utf8Body(): MiddlewareHandler {
  return async (c, next) => {
    // Told apart from a schema error: the JSON validator reads any other media type as {}, and a
    // form-encoded or text body was answered that 'by' was missing.
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json' && !type?.endsWith('+json')) {
      return c.json({ error: `request body must be JSON, sent as Content-Type: application/json (not ${type ? `'${type}'` : 'none'})` }, 415);
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), BODY_DEADLINE_MS);
    });
    // A client that hung up mid-body is no failure of the hub's: said as the client's, not as a 500.
    const body = await Promise.race([c.req.arrayBuffer().catch(() => 'cut' as const), late]).finally(() => clearTimeout(timer));
    if (body === 'cut') {
      c.header('Connection', 'close');
      return c.json({ error: 'request body ended before its length' }, 400);
    }
    if (body === 'late') {
      c.header('Connection', 'close');
      return c.json({ error: `request body did not arrive within ${BODY_DEADLINE_MS / 1000} s` }, 408);
    }
    if (!isUtf8(body)) return c.json({ error: 'request body is not valid UTF-8' }, 400);
    await next();
    return undefined;
  };
}
