import { createHash, randomBytes } from 'node:crypto';

/** Tokens are 256 random bits, so a plain SHA-256 is a safe way to keep them: no salt or stretching needed. */
export function newToken(): string {
  return `cust_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
