/**
 * Runs in Node before the Workers pool starts: the fake static host (deploy
 * hook + canary files) the Worker under test deploys to and probes over
 * loopback. Its URL reaches the pool options and the tests through provide().
 */
import type { TestProject } from 'vitest/node';
import { startHookSite } from '../../agents/hook-site.js';

declare module 'vitest' {
  export interface ProvidedContext {
    hookSite: string;
  }
}

export default async function setup(project: TestProject) {
  const site = await startHookSite();
  project.provide('hookSite', site.url);
  return () => site.close();
}
