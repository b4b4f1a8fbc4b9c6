/** Admin bearer-token check, constant-time and runtime-independent (no node:crypto). */
import type { MiddlewareHandler } from 'hono';
import { AuthError } from '../core/errors.js';

/** Compares in time that depends only on the lengths, never on where strings differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) diff |= (x[i] ?? 0) ^ (y[i % (y.length || 1)] ?? 0);
  return diff === 0;
}

/** Requires `Authorization: Bearer <adminToken>`; with no token configured, admin routes are closed. */
export function requireAdmin(getToken: () => string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const expected = getToken();
    if (!expected) throw new AuthError('admin API disabled: set server.adminToken');
    const header = c.req.header('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!constantTimeEqual(given, expected)) throw new AuthError('missing or wrong admin token');
    await next();
  };
}
