/**
 * Wraps any deployer so that no configured secret can reach the database or
 * the API through a deploy's output tail, detail or error message (a command
 * may print its environment; an API may echo a token back).
 */
import { DeployError } from '../core/errors.js';
import type { Deployer } from '../core/ports.js';

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

export function withRedaction(deployer: Deployer, secrets: readonly string[]): Deployer {
  if (!secrets.length) return deployer;
  const clean = (text: string | undefined) =>
    text === undefined ? undefined : redact(text, secrets);
  return {
    kind: deployer.kind,
    ...(deployer.local ? { local: true } : {}),
    close: deployer.close?.bind(deployer),
    deploy: async (request, signal) => {
      try {
        const receipt = await deployer.deploy(request, signal);
        return {
          ...receipt,
          detail: clean(receipt.detail),
          output: clean(receipt.output),
          phases: receipt.phases?.map((p) => ({ ...p, detail: clean(p.detail) })),
        };
      } catch (error) {
        const message = redact(error instanceof Error ? error.message : String(error), secrets);
        const retryable = error instanceof DeployError ? error.retryable : false;
        throw new DeployError(message, { retryable });
      }
    },
  };
}
