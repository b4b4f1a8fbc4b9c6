/**
 * `--profile`: a V8 CPU profile of the measured window only (warm-up excluded),
 * taken in-process through the inspector. Saves the .cpuprofile (open it in
 * Chrome DevTools) and returns where the busy time went: hottest functions by
 * self time and time per area (a package, a src/ folder, GC, node internals).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface HotFunction {
  name: string;
  /** Repo-relative file:line, or a package path; never an absolute path. */
  where: string;
  /** Share of busy (non-idle) samples, 0..100. */
  pct: number;
}

export interface HotSpots {
  /** By self time. */
  functions: HotFunction[];
  /** freshprobe's own src/ functions by synchronous inclusive time. */
  inclusive: HotFunction[];
  areas: { area: string; pct: number }[];
}

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function location(url: string): string {
  if (!url.startsWith('file:')) return url;
  const path = relative(process.cwd(), fileURLToPath(url));
  const nm = path.lastIndexOf('node_modules/');
  return nm >= 0 ? path.slice(nm + 'node_modules/'.length) : path;
}

/** The package (node_modules), src/ folder, or bucket a frame belongs to. */
function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : 'native/builtins';
  if (url.startsWith('node:')) return 'node internals';
  const path = location(url);
  if (url.includes('/node_modules/')) {
    const parts = path.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const src = /^src\/([^/]+)/.exec(path);
  return src ? `src/${src[1]}` : path;
}

/** Each node's frames from itself up to the root, computed once per node. */
function stacks(profile: CpuProfile): Map<number, Frame[]> {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const out = new Map<number, Frame[]>();
  const stackOf = (id: number): Frame[] => {
    const known = out.get(id);
    if (known) return known;
    const up = parent.get(id);
    const stack = [byId.get(id)!, ...(up === undefined ? [] : stackOf(up))];
    out.set(id, stack);
    return stack;
  };
  for (const n of profile.nodes) stackOf(n.id);
  return out;
}

/** tsx-compiled files report line 0 for everything: leave the line out rather than mislead. */
const label = (f: Frame) =>
  `${f.functionName || '(anonymous)'}\t${location(f.url)}${f.lineNumber > 0 ? `:${f.lineNumber + 1}` : ''}`;

/**
 * A native frame (a better-sqlite3 `run`, a socket write) is charged to the area of its
 * nearest JavaScript caller, so "drizzle-orm" includes the statements drizzle runs.
 */
function areaOfStack(stack: Frame[]): string {
  // The bench's own SQL counter (measure.ts) wraps driver calls: look through it.
  const js = stack.find(
    (f) => (f.url && !location(f.url).startsWith('bench/')) || f.functionName.startsWith('('),
  );
  return js ? area(js.url, js.functionName) : 'native/builtins';
}

function summarize(profile: CpuProfile, top: number): HotSpots {
  const stackById = stacks(profile);
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const stack = stackById.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!stack?.[0] || stack[0].functionName === '(idle)') return;
    busy += dt;
    add(self, label(stack[0]), dt);
    add(areas, areaOfStack(stack), dt);
    // Synchronous time under each freshprobe function (a store method includes its SQL).
    const mine = new Set(stack.filter((f) => location(f.url).startsWith('src/')).map(label));
    for (const k of mine) add(inclusive, k, dt);
  });
  const pct = (v: number) => (busy ? (100 * v) / busy : 0);
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  const fn = ([key, v]: [string, number]) => {
    const [name = '', where = ''] = key.split('\t');
    return { name, where, pct: pct(v) };
  };
  return {
    functions: sorted(self).map(fn),
    inclusive: sorted(inclusive).map(fn),
    areas: sorted(areas).map(([a, v]) => ({ area: a, pct: pct(v) })),
  };
}

export async function startProfile() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(dir: string): Promise<HotSpots> {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      const file = join(
        dir,
        `canary-loop-${new Date().toISOString().replaceAll(':', '-')}.cpuprofile`,
      );
      await writeFile(file, JSON.stringify(profile));
      return summarize(profile as unknown as CpuProfile, 15);
    },
  };
}
