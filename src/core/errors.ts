/**
 * Typed errors. `retryable` says whether the same call may succeed later
 * (network blips, 5xx, 429) or not (bad credentials, rejected push, bad config).
 */
export class FreshprobeError extends Error {
  readonly retryable: boolean;
  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }
}

/** One problem in a config, located by its path (`sites[1].deploy.remote`). */
export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends FreshprobeError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('\n'));
    this.problems = problems;
  }
}

export class DeployError extends FreshprobeError {}
export class ProbeError extends FreshprobeError {}
export class NotifyError extends FreshprobeError {}
export class NotFoundError extends FreshprobeError {}
export class AuthError extends FreshprobeError {}
