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

/** Marks the admin guard, so tests can list every admin route from the app itself. */
const ADMIN_GUARD = Symbol('freshprobe.adminGuard');

export function isAdminGuard(handler: unknown): boolean {
  return typeof handler === 'function' && ADMIN_GUARD in handler;
}

/** The token of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235). */
export function bearer(header: string | undefined): string {
  const match = /^bearer +(.*)$/i.exec(header ?? '');
  return match?.[1]?.trim() ?? '';
}

/** Requires `Authorization: Bearer <adminToken>`; with no token configured, admin routes are closed. */
export function requireAdmin(getToken: () => string | undefined): MiddlewareHandler {
  const guard: MiddlewareHandler = async (c, next) => {
    const expected = getToken();
    if (!expected) throw new AuthError('admin API disabled: set server.adminToken');
    if (!constantTimeEqual(bearer(c.req.header('authorization')), expected))
      throw new AuthError('missing or wrong admin token');
    await next();
  };
  return Object.assign(guard, { [ADMIN_GUARD]: true });
}
