import { afterEach } from 'vitest';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';
import { storeContract } from './store-contract.js';

const handles: SqliteHandle[] = [];
afterEach(() => {
  for (const h of handles.splice(0)) h.close();
});

storeContract('better-sqlite3', async () => {
  const handle = openSqliteStore(':memory:');
  handles.push(handle);
  return handle.store;
});
