import type { DeployRequest } from '../../src/core/ports.js';

/** The deploy request the core sends for canary `seq` of site `docs`; `extra` adds fields to the file. */
export function canaryRequest(seq: number, extra: Record<string, unknown> = {}): DeployRequest {
  const token = `t${seq}`;
  return {
    siteId: 'docs',
    seq,
    token,
    path: '/freshprobe/canary.json',
    content: `${JSON.stringify({ freshprobe: 1, site: 'docs', seq, token, ...extra })}\n`,
    message: `freshprobe canary docs #${seq}`,
  };
}
