#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so the package ships no build step.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/runtime/node.ts');
run(process.argv.slice(2));
