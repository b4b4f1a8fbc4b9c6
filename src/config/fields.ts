/**
 * Scalar field schemas shared by the whole config: ids, URLs, durations,
 * cron expressions, addresses. Each carries a Hint so messages say what was
 * expected in words; the words themselves are built in messages.ts.
 */
import { z } from 'zod';
import { CronError, parseCron } from '../core/cron.js';
import { DURATION_PATTERN, formatDuration, parseDuration } from '../core/duration.js';
import { type CheckParams, hinted } from './messages.js';

/** A string passing `check`, which returns undefined when fine, else a reason ('' for none). */
function checkedString(expected: string, check: (value: string) => string | undefined) {
  const schema = z.string().superRefine((value, ctx) => {
    const reason = check(value);
    if (reason === undefined) return;
    const params: CheckParams = reason ? { expected, reason } : { expected };
    ctx.addIssue({ code: 'custom', input: value, params });
  });
  return hinted(schema, { expected });
}

const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Site and notifier ids: they appear in URLs (`/sites/:id`) and metric labels. */
export const slug = hinted(z.string().regex(SLUG), {
  expected: 'a lowercase id like "docs" (a-z, 0-9, "-" or "_", up to 63 characters)',
});

export const nonEmpty = hinted(z.string().min(1), { expected: 'a non-empty string' });

export const httpUrl = hinted(z.url({ protocol: /^https?$/ }), { expected: 'an http(s) URL' });

export const smtpUrl = hinted(z.url({ protocol: /^smtps?$/ }), {
  expected: 'an smtp:// or smtps:// URL',
});

export const port = hinted(z.int().min(0).max(65535), {
  expected: 'a port number from 0 to 65535',
});

export const positiveInt = hinted(z.int().min(1), { expected: 'a whole number of at least 1' });

export const redirectLimit = hinted(z.int().min(0).max(20), {
  expected: 'a whole number from 0 to 20',
});

/** SLO target: 1 would forbid any late canary, 0 would accept all; both are mistakes. */
export const fraction = hinted(z.number().gt(0).lt(1), {
  expected: 'a number between 0 and 1 (exclusive), like 0.99',
});

const GIT_URL = /^(https?|ssh|git|file):\/\//;
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/;

/** Remotes git itself accepts: URLs, `user@host:path`, or a local absolute path. */
export const gitRemote = checkedString('a git URL, user@host:path or an absolute path', (v) => {
  if (v.startsWith('/') || (SCP_LIKE.test(v) && !v.includes('://'))) return undefined;
  return GIT_URL.test(v) && URL.canParse(v) ? undefined : '';
});

/** A path inside a repository; ".." could write outside the clone. */
export const repoFile = checkedString(
  'a file path inside the repository (no leading "/", no "..")',
  (v) => {
    const parts = v.split('/');
    const bad = v === '' || v.startsWith('/') || v.endsWith('/') || parts.includes('..');
    return bad || v.includes('\\') ? '' : undefined;
  },
);

export const canaryPath = checkedString('a URL path starting with "/"', (v) => {
  const bad = !v.startsWith('/') || /[\s?#]/.test(v) || v.split('/').includes('..');
  return bad ? '' : undefined;
}).meta({ pattern: '^/' });

export const cronExpression = checkedString('a 5-field cron expression', (v) => {
  try {
    parseCron(v);
    return undefined;
  } catch (error) {
    // Only a 5-field expression has a reason worth adding; otherwise the count is the reason.
    const fields = v.trim().split(/\s+/).length;
    return error instanceof CronError && fields === 5 ? error.reason : '';
  }
});

const DURATION_EXPECTED = 'a duration like 30s, 5m or 2h';

/**
 * A duration as written ("30s", "5m", "1h30m", or a number of ms), parsed to
 * milliseconds. `minMs` rejects values below it (1 by default: zero is a typo).
 */
export function duration(minMs = 1) {
  const tooSmall =
    minMs > 1 ? `a duration of at least ${formatDuration(minMs)}` : 'a positive duration';
  const input = hinted(z.union([z.string(), z.number()]), { expected: DURATION_EXPECTED }).meta({
    description: 'A duration like 500ms, 30s, 5m, 2h, 28d or 1h30m (a number is milliseconds).',
    pattern: DURATION_PATTERN,
  });
  return input.transform((value, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch {
      ctx.addIssue({ code: 'custom', input: value, params: { expected: DURATION_EXPECTED } });
      return z.NEVER;
    }
    if (ms < minMs) ctx.addIssue({ code: 'custom', input: value, params: { expected: tooSmall } });
    return ms;
  });
}

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function isIPv6(v: string): boolean {
  // The WHATWG URL parser validates IPv6 literals the same way in Node and Workers.
  return v.includes(':') && /^[0-9A-Fa-f:.]+$/.test(v) && URL.canParse(`http://[${v}]/`);
}

function isPort(v: string): boolean {
  return /^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535;
}

/** One fleet node: "IPv4", "IPv6", "IPv4:port" or "[IPv6]:port". */
export const nodeAddress = checkedString('an IPv4 or IPv6 address with an optional port', (v) => {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(v);
  if (bracketed)
    return isIPv6(bracketed[1] as string) && isPort(bracketed[2] as string) ? undefined : '';
  const withPort = /^([\d.]+):(\d+)$/.exec(v);
  if (withPort)
    return IPV4.test(withPort[1] as string) && isPort(withPort[2] as string) ? undefined : '';
  return IPV4.test(v) || isIPv6(v) ? undefined : '';
});

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;
const NAMED_ADDRESS = /^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/;

/** `ops@example.com` or `Ops <ops@example.com>`. */
export const emailAddress = checkedString('an email address like ops@example.com', (v) =>
  ADDRESS.test(v) || NAMED_ADDRESS.test(v) ? undefined : '',
);
