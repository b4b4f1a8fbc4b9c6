#!/usr/bin/env node
/**
 * Runs before `vitest run` (npm test): the tests start real nginx, varnishd,
 * chromium, git and unshare (DESIGN.md section 7), so a missing one must fail
 * loudly here rather than as a confusing test failure later.
 *
 * All present: one line, exit 0. Missing, as root on Debian: apt-get installs
 * them. Otherwise: prints the command to run and exits 1. Never skips silently;
 * FRESHPROBE_SKIP_SYSTEM_DEPS=1 skips (with a message) only outside CI.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What the tests run, where Debian puts it, and which package provides it. */
const TOOLS = [
  { name: 'chromium', paths: ['/usr/bin/chromium'], pkg: 'chromium' },
  { name: 'nginx', paths: ['/usr/sbin/nginx'], pkg: 'nginx-light' },
  { name: 'varnishd', paths: ['/usr/sbin/varnishd'], pkg: 'varnish' },
  { name: 'git', paths: [], pkg: 'git' },
  { name: 'unshare', paths: [], pkg: 'util-linux' },
];
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The known path first, then PATH (plus sbin dirs, which a non-root PATH often lacks). */
function findTool(tool) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  const candidates = [...tool.paths, ...dirs.filter(Boolean).map((d) => join(d, tool.name))];
  return candidates.find(isExecutable);
}

function missingTools() {
  return TOOLS.filter((tool) => !findTool(tool));
}

function run(command, args) {
  console.log(`ensure-system-deps: $ ${command} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.once('error', (err) => {
      console.error(`ensure-system-deps: ${command}: ${err.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * Debian's postinst starts nginx and varnish as services (nginx on port 80).
 * Tests start their own on free ports, so forbid service starts during the
 * install with a temporary policy-rc.d (only if none exists; removed after).
 */
function blockServiceStarts() {
  if (existsSync(POLICY_RC_D)) return () => {};
  writeFileSync(
    POLICY_RC_D,
    '#!/bin/sh\n# freshprobe: no service starts during install\nexit 101\n',
    {
      mode: 0o755,
    },
  );
  const remove = () => rmSync(POLICY_RC_D, { force: true });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      remove();
      process.exit(1);
    });
  }
  process.once('exit', remove);
  return remove;
}

async function install(missing) {
  const packages = missing.map((tool) => tool.pkg);
  console.log(`ensure-system-deps: installing ${packages.join(' ')} with apt-get`);
  const unblock = blockServiceStarts();
  try {
    if ((await run('apt-get', ['update'])) !== 0) return 1;
    return await run('apt-get', ['install', '-y', '--no-install-recommends', ...packages]);
  } finally {
    unblock();
  }
}

function printHowToInstall(missing) {
  const names = missing.map((tool) => tool.name).join(', ');
  console.error(`ensure-system-deps: missing ${names}; the test suite starts these for real.`);
  console.error('Install them (Debian/Ubuntu), then rerun npm test:');
  console.error('  sudo apt-get install -y chromium nginx-light varnish');
  const extra = missing.filter((tool) => ['git', 'util-linux'].includes(tool.pkg));
  if (extra.length > 0) {
    console.error(`  sudo apt-get install -y ${extra.map((tool) => tool.pkg).join(' ')}`);
  }
}

async function main() {
  if (process.env.FRESHPROBE_SKIP_SYSTEM_DEPS === '1') {
    if (!process.env.CI) {
      console.log(
        'ensure-system-deps: skipped (FRESHPROBE_SKIP_SYSTEM_DEPS=1); tests needing them will fail',
      );
      return 0;
    }
    console.log('ensure-system-deps: FRESHPROBE_SKIP_SYSTEM_DEPS is ignored in CI; checking');
  }
  const missing = missingTools();
  if (missing.length === 0) {
    console.log(`ensure-system-deps: ok (${TOOLS.map((tool) => tool.name).join(', ')})`);
    return 0;
  }
  const canInstall = process.getuid?.() === 0 && existsSync('/etc/debian_version');
  if (!canInstall) {
    printHowToInstall(missing);
    return 1;
  }
  if ((await install(missing)) !== 0) {
    console.error('ensure-system-deps: apt-get failed (output above)');
    return 1;
  }
  const still = missingTools();
  if (still.length > 0) {
    console.error(`ensure-system-deps: still missing after install: ${still.map((t) => t.name)}`);
    return 1;
  }
  console.log('ensure-system-deps: installed; ok');
  return 0;
}

process.exitCode = await main();
