import { isUtf8 } from 'node:buffer';
import type { MiddlewareHandler } from 'hono';

/**
 * A request body must be UTF-8. Decoding would put U+FFFD for each bad byte, so two ids that
 * differ only there would name one task, and a note would not come back as it went in. Each route
 * puts it just before its JSON, after its token check: the body is read only where it would be.
 */
export function utf8Body(): MiddlewareHandler {
  return async (c, next) => {
    if (!isUtf8(await c.req.arrayBuffer())) {
      return c.json({ error: 'request body is not valid UTF-8' }, 400);
    }
    await next();
    return undefined;
  };
}
