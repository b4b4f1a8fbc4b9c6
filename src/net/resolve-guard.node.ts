/**
 * The Node half of the SSRF guard: resolves host names with the system
 * resolver (getaddrinfo, the same one the connection will use, /etc/hosts
 * included) so a name that points at a private address is refused like the
 * address itself. Every address must be public, not just the first: a name
 * with one public and one private record would otherwise be a way in.
 */
import { lookup } from 'node:dns/promises';
import { FreshprobeError } from '../core/errors.js';
import { guardFetch } from './guarded-fetch.js';

/**
 * Every address `host` resolves to. A failed lookup throws a retryable
 * error: the guard fails closed instead of letting fetch resolve on its own.
 */
export async function resolveHost(host: string): Promise<string[]> {
  try {
    const records = await lookup(host, { all: true, verbatim: true });
    return records.map((r) => r.address);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'lookup failed';
    throw new FreshprobeError(`cannot resolve ${host}: ${code}`, { retryable: true, cause: error });
  }
}

/**
 * `inner` guarded against private destinations (IP literals, localhost and
 * names resolving to private addresses, redirect hops included), or `inner`
 * itself when the config says `allowPrivateAddresses: true`.
 */
export function publicOnlyFetch(
  inner: typeof fetch,
  cfg: { allowPrivateAddresses?: boolean },
): typeof fetch {
  return guardFetch(inner, { allowPrivate: cfg.allowPrivateAddresses, resolve: resolveHost });
}
