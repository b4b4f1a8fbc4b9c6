/**
 * The config the Worker under test gets as its FRESHPROBE_CONFIG binding:
 * a fast site (published at once) and a slow one (published 2.5 s after the
 * hook), both deployed through the webhook deployer to the loopback fake.
 */
import { HOOK_BODY } from '../../agents/hook-site.js';

export const ADMIN_TOKEN = 'worker-admin-token-0123456789';
export const AGENT_TOKEN = 'worker-agent-token-0123456789';
export const SLOW_DELAY_MS = 2_500;

export function workerConfig(hookSite: string) {
  const hook = new URL('hook', hookSite).href;
  const deploy = (delay: number) => ({
    kind: 'webhook',
    url: `${hook}?delay=${delay}`,
    body: HOOK_BODY,
    allowPrivateAddresses: true,
  });
  return {
    server: { adminToken: ADMIN_TOKEN },
    defaults: { schedule: '0 0 1 1 *', probe: { vantages: ['edge', 'origin'], interval: '60s' } },
    sites: [
      { id: 'docs', name: 'Docs', url: hookSite, deploy: deploy(0) },
      {
        id: 'slow',
        name: 'Slow docs',
        url: hookSite,
        canary: { path: '/slow/canary.json' },
        deploy: deploy(SLOW_DELAY_MS),
      },
    ],
    agents: [{ id: 'fra', token: AGENT_TOKEN }],
  };
}
