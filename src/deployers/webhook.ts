/**
 * `webhook` deployer: POSTs to a deploy hook (Netlify, Vercel and Cloudflare
 * Pages build hooks, or any endpoint that starts a deploy). Any 2xx means the
 * host accepted it. 4xx is final; 5xx and 429 are retried (bounded) like the
 * other API deployers. The hook only starts a build: the build itself must
 * produce the canary, e.g. from Netlify's INCOMING_HOOK_BODY, which is why
 * the JSON body can carry the token and the whole canary file.
 * Runtime-independent: fetch is injected.
 */
import type { Deployer, DeployReceipt, DeployRequest } from '../core/ports.js';
import { type ApiReply, apiFailure, createApiClient } from './http-api.js';

/** A JSON value; strings may hold {{placeholders}}. */
export type JsonTemplate =
  | string
  | number
  | boolean
  | null
  | JsonTemplate[]
  | { [key: string]: JsonTemplate };

export interface WebhookDeployerOptions {
  /** The hook URL. It often is the secret itself: never logged, errors show only its origin. */
  url: string;
  headers?: Record<string, string>;
  /**
   * JSON body to send. In every string, `{{site}}`, `{{seq}}`, `{{token}}`,
   * `{{path}}`, `{{message}}` and `{{content}}` are replaced. No body when unset.
   */
  body?: JsonTemplate;
  fetch: typeof fetch;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Fills `{{name}}` placeholders in every string of `template`; unknown names stay as written. */
export function renderTemplate(template: JsonTemplate, req: DeployRequest): JsonTemplate {
  const values: Record<string, string> = {
    site: req.siteId,
    seq: String(req.seq),
    token: req.token,
    path: req.path,
    message: req.message,
    content: req.content,
  };
  const fill = (t: JsonTemplate): JsonTemplate => {
    if (typeof t === 'string')
      return t.replace(/\{\{(\w+)\}\}/g, (all, k: string) => values[k] ?? all);
    if (Array.isArray(t)) return t.map(fill);
    if (t && typeof t === 'object') {
      return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, fill(v)]));
    }
    return t;
  };
  return fill(template);
}

/** A deployment id if the host returned one (Vercel `job.id`, Cloudflare `result.id`), else the status. */
function deploymentDetail(reply: ApiReply): string {
  const body = reply.body as
    | { job?: { id?: unknown }; result?: { id?: unknown }; id?: unknown }
    | undefined;
  const id = body?.job?.id ?? body?.result?.id ?? body?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : `HTTP ${reply.status}`;
}

/** Creates the `webhook` deployer. */
export function createWebhookDeployer(opts: WebhookDeployerOptions): Deployer {
  const now = opts.now ?? Date.now;
  const api = createApiClient({ label: 'webhook', fetch: opts.fetch, now, sleep: opts.sleep });
  const headers = { 'User-Agent': 'freshprobe', ...opts.headers };
  return {
    kind: 'webhook',
    async deploy(request: DeployRequest, signal: AbortSignal): Promise<DeployReceipt> {
      const json = opts.body === undefined ? undefined : renderTemplate(opts.body, request);
      const startedAt = now();
      const reply = await api.call({ method: 'POST', url: opts.url, headers, json }, signal);
      if (reply.status < 200 || reply.status > 299) throw apiFailure('webhook', 'POST', reply);
      return { startedAt, acceptedAt: now(), detail: deploymentDetail(reply) };
    },
  };
}
