/**
 * Ports: what the core needs from the outside world. One interface per port;
 * adapters live in src/deployers, src/probers, src/storage, one file per kind.
 */
import type { AlertMessage, ProbeResult } from './model.js';

/** What a deployer is asked to publish. */
export interface DeployRequest {
  siteId: string;
  seq: number;
  token: string;
  /** URL path of the canary file on the site, e.g. `/freshprobe/canary.json`. */
  path: string;
  /** The file's full content. */
  content: string;
  /** A human-readable description for commit messages and logs. */
  message: string;
}

/** Proof that a host accepted a deploy. */
export interface DeployReceipt {
  /** When the publishing step began (push sent, file write started). */
  startedAt: number;
  /** When the host confirmed it (push returned, rename done). */
  acceptedAt: number;
  /** Short human detail: a commit SHA, a deployment id. */
  detail?: string;
  /** Later steps the deployer watched after acceptance (a CI pipeline, a Pages build), in order. */
  phases?: DeployPhase[];
  /** Tail of a deploy command's combined stdout/stderr (about 2 KiB at most). */
  output?: string;
}

/** One step after acceptance, e.g. `{ name: 'pipeline_done', at, detail: 'success' }`. */
export interface DeployPhase {
  name: string;
  /** Epoch ms when freshprobe saw it. */
  at: number;
  detail?: string;
}

/**
 * Publishes canaries. Throws DeployError (with git's or the API's reason)
 * when the host refuses; never returns on failure.
 */
export interface Deployer {
  readonly kind: string;
  /**
   * A local file write, no process or network: not counted against
   * server.maxConcurrentDeploys (deploy-slots.ts).
   */
  readonly local?: boolean;
  deploy(request: DeployRequest, signal: AbortSignal): Promise<DeployReceipt>;
  /** Releases clones, connections. */
  close?(): Promise<void>;
}

/**
 * Looks at a site from one or more vantages. Never throws for a site's bad
 * behaviour: timeouts, refusals, huge bodies come back as `error` results.
 */
export interface Prober {
  /** Vantage kind from config: `edge`, `origin`, `nodes`, `browser`. */
  readonly kind: string;
  probe(signal: AbortSignal): Promise<ProbeResult[]>;
  close?(): Promise<void>;
}

/** Time source, injected so tests and Workers control it. */
export interface Clock {
  now(): number;
}

/** Randomness for tokens, injected for the same reason. */
export type TokenSource = () => string;

/**
 * Delivers alert messages to one destination (Slack, PagerDuty, SMTP, ...).
 * Throws NotifyError with `retryable` true for network errors, 5xx and 429.
 */
export interface Notifier {
  readonly id: string;
  readonly kind: string;
  send(message: AlertMessage, signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}
