/**
 * D1 driver: the same store (store.ts) over drizzle's D1 session. Migrations
 * are not applied here: D1 applies drizzle's SQL files itself
 * (`wrangler d1 migrations apply`, `migrations_dir = "drizzle"`), so a
 * Worker never runs DDL on a request path.
 */
import { drizzle } from 'drizzle-orm/d1';
import type { FullStore } from '../core/store.js';
import * as schema from './schema.js';
import { createStore } from './store.js';

/**
 * What the store needs of a D1 binding. Typed loosely on purpose: the
 * Workers type package is not a dependency, and drizzle checks the binding
 * at runtime.
 */
export interface D1Binding {
  prepare(query: string): unknown;
  batch(statements: unknown[]): Promise<unknown>;
}

export function openD1Store(binding: D1Binding): FullStore {
  return createStore(drizzle(binding as Parameters<typeof drizzle>[0], { schema }));
}
