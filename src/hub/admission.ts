import type { Context, MiddlewareHandler } from 'hono';
import type { Limiter } from './limiter.js';

/** Seconds a refused client is asked to wait; short, since a slot frees in milliseconds. */
export const RETRY_AFTER_SECONDS = 1;

/** 503 with `Retry-After`: the answer to "the hub is saturated, come back shortly". */
export function busy(c: Context, why: string) {
  c.header('Retry-After', String(RETRY_AFTER_SECONDS));
  return c.json({ error: `the hub is busy (${why}); retry after ${RETRY_AFTER_SECONDS} s` }, 503);
}

/** Lets a request past only with a slot of `limiter`, held until its response is made. */
export function admission(limiter: Limiter): MiddlewareHandler {
  return async (c, next) => {
    if (!(await limiter.acquire())) return busy(c, 'too many requests at once');
    try {
      await next();
    } finally {
      limiter.release();
    }
    return undefined;
  };
}
