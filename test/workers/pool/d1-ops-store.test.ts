/**
 * The OpsStore contract (test/ops/ops-store-contract.ts: heartbeat, gaps,
 * retention batches) against D1 inside workerd, as on better-sqlite3.
 */
import { applyD1Migrations, env, reset } from 'cloudflare:test';
import { openD1Store } from '../../../src/storage/d1.js';
import { opsStoreContract } from '../../ops/ops-store-contract.js';

opsStoreContract('D1', async () => {
  await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  return openD1Store(env.DB);
});
