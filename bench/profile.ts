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
  functions: HotFunction[];
  areas: { area: string; pct: number }[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
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

function summarize(profile: CpuProfile, top: number): HotSpots {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    busy += dt;
    const key = `${frame.functionName || '(anonymous)'}\t${location(frame.url)}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const a = area(frame.url, frame.functionName);
    areas.set(a, (areas.get(a) ?? 0) + dt);
  });
  const pct = (v: number) => (busy ? (100 * v) / busy : 0);
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    functions: sorted(self).map(([key, v]) => {
      const [name = '', where = ''] = key.split('\t');
      return { name, where, pct: pct(v) };
    }),
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
