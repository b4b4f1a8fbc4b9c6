/**
 * Deploying a canary. The canary row exists (pending) before this runs and is
 * marked `deploying` before the deployer is called, so a crash at any point
 * leaves a row that the next step resumes: the same seq, the same token.
 */
import { renderCanaryFile } from './canary.js';
import type { CoreDeps } from './deps.js';
import { errorMessage } from './deps.js';
import type { Canary } from './model.js';
import type { SiteRuntime, SiteSpec } from './site.js';
import { dayOf } from './time.js';

export const DEFAULT_DEPLOY_TIMEOUT_MS = 120_000;

/** Persists intent: a pending canary with the next seq and a fresh token. */
export async function requestCanary(
  deps: CoreDeps,
  site: SiteSpec,
  reason: string,
): Promise<Canary> {
  const canary = await deps.store.createCanary({
    siteId: site.id,
    token: deps.newToken(),
    intentAt: deps.clock.now(),
    reason,
  });
  // Whoever asked (a schedule, POST /canaries) is told of this seq: it must survive a crash.
  await deps.store.flush?.();
  deps.log.info({ event: 'canary.created', site: site.id, seq: canary.seq, reason });
  return canary;
}

export function canaryCommitMessage(site: SiteSpec, seq: number): string {
  return `freshprobe canary ${site.id} #${seq}\n\nAutomated freshness canary; touches only ${site.canary.path}.`;
}

/** Runs (or resumes) the deploy of a pending/deploying canary and records the outcome. */
export async function deployCanary(
  deps: CoreDeps,
  rt: SiteRuntime,
  canary: Canary,
): Promise<Canary> {
  const { spec } = rt;
  const resumed = canary.state === 'deploying';
  const attemptAt = deps.clock.now();
  const deploying: Canary = {
    ...canary,
    state: 'deploying',
    deployStartedAt: resumed ? (canary.deployStartedAt ?? attemptAt) : attemptAt,
  };
  await deps.store.updateCanary(deploying);
  // Durable before anything leaves the process: after a crash the deploy resumes with its start.
  await deps.store.flush?.();
  deps.log.info({ event: 'deploy.start', site: spec.id, seq: canary.seq, resumed });
  const content = renderCanaryFile(
    { siteId: spec.id, seq: canary.seq, token: canary.token, deployedAt: canary.intentAt },
    spec.canary.format,
  );
  const signal = AbortSignal.timeout(
    rt.deployTimeoutMs ?? deps.deployTimeoutMs ?? DEFAULT_DEPLOY_TIMEOUT_MS,
  );
  let result: Canary;
  try {
    if (!rt.deployer)
      throw new Error('this site has no deploy config: it only watches deploys made elsewhere');
    const receipt = await rt.deployer.deploy(
      {
        siteId: spec.id,
        seq: canary.seq,
        token: canary.token,
        path: spec.canary.path,
        content,
        message: canaryCommitMessage(spec, canary.seq),
      },
      signal,
    );
    result = {
      ...deploying,
      state: 'propagating',
      // After a crash mid-deploy the host may have accepted it during the first attempt.
      deployStartedAt: resumed ? deploying.deployStartedAt : receipt.startedAt,
      deployedAt: receipt.acceptedAt,
      deployDetail: receipt.detail,
      nextProbeAt: receipt.acceptedAt,
      phases: [
        { name: 'accepted', at: receipt.acceptedAt, detail: receipt.detail },
        ...(receipt.phases ?? []),
      ],
      deployOutput: receipt.output,
    };
    deps.log.info({
      event: 'deploy.accepted',
      site: spec.id,
      seq: canary.seq,
      detail: receipt.detail,
    });
  } catch (error) {
    const now = deps.clock.now();
    result = {
      ...deploying,
      state: 'deploy_failed',
      deployError: errorMessage(error),
      closedAt: now,
    };
    deps.log.warn({
      event: 'deploy.failed',
      site: spec.id,
      seq: canary.seq,
      error: errorMessage(error),
    });
  }
  await deps.store.updateCanary(result);
  if (result.state === 'deploy_failed')
    await deps.store.recomputeDay(spec.id, dayOf(result.intentAt));
  return result;
}
