/**
 * A plain-text summary of a V8 .cpuprofile (from `--profile`, which runs V8's sampling
 * profiler in the gateway child through node:inspector): self time by function, and
 * inclusive time by where the code lives (an app/ file, an npm package, Node internals),
 * so hot spots in app/ stand out.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

interface ProfileEntry {
  readonly name: string;
  readonly ms: number;
  readonly percent: number;
}

export interface ProfileSummary {
  /** Sampled time that was not idle, ms. */
  readonly busyMs: number;
  readonly selfByFunction: readonly ProfileEntry[];
  readonly selfByLocation: readonly ProfileEntry[];
  /** Self time charged to the nearest caller that is app/ code or an npm package (Node internals and natives are charged to whoever called them). */
  readonly attributedByCaller: readonly ProfileEntry[];
  readonly inclusiveByLocation: readonly ProfileEntry[];
  readonly inclusiveByAppFunction: readonly ProfileEntry[];
}

const IDLE = new Set(['(idle)']);
/** Entries listed per section. */
const TOP = 25;

/** Where each module starts in a bundle: esbuild writes `// <source path>` before each one when not minifying. */
interface ModuleStart {
  readonly line: number;
  readonly source: string;
}

const MODULE_MARKER = /^\/\/ ((?:node_modules|app|bench|scripts)\/\S+)$/;

export function moduleStarts(code: string): ModuleStart[] {
  const starts: ModuleStart[] = [];
  code.split('\n').forEach((text, line) => {
    const marker = MODULE_MARKER.exec(text);
    if (marker) starts.push({ line, source: marker[1]! });
  });
  return starts;
}

/** The source file a bundle line came from (the nearest module marker above it), or undefined. */
export function sourceAt(starts: readonly ModuleStart[], line: number): string | undefined {
  let low = 0;
  let high = starts.length - 1;
  let found: string | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (starts[middle]!.line <= line) {
      found = starts[middle]!.source;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

/** Bundled files read once per summary; a minified or unreadable file has no markers. */
function bundleSources(): (url: string, line: number) => string | undefined {
  const cache = new Map<string, ModuleStart[]>();
  return (url, line) => {
    if (!url.startsWith('file:') || !url.endsWith('.mjs')) return undefined;
    let starts = cache.get(url);
    if (!starts) {
      try {
        starts = moduleStarts(readFileSync(fileURLToPath(url), 'utf8'));
      } catch {
        starts = [];
      }
      cache.set(url, starts);
    }
    const source = sourceAt(starts, line);
    return source && `/${source}`;
  };
}

/** app/x/y.ts, an npm package name, node:internal, or a V8 pseudo-frame like (garbage collector). */
export function locationOf(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const app = /\/(app\/[^?#]+)$/.exec(url);
  if (app && !url.includes('/node_modules/')) return app[1]!;
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node:internal';
  if (/\/bench\//.test(url)) return 'bench';
  return url;
}

/** app/ code or an npm package, as opposed to Node internals, natives and V8 pseudo-frames. */
const isUserLand = (location: string) => location !== 'node:internal' && !location.startsWith('(') && !location.startsWith('wasm:');

/** A remapped bundle frame has no source line (lineNumber -1): its function name and module say enough. */
const label = (frame: CallFrame) =>
  `${frame.functionName || '(anonymous)'} ${locationOf(frame)}${frame.lineNumber >= 0 ? `:${frame.lineNumber + 1}` : ''}`;

function top(map: Map<string, number>, busyMs: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(([name, ms]) => ({ name, ms, percent: (100 * ms) / busyMs }));
}

export function summarizeProfile(file: string): ProfileSummary {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  // A bundled frame is shown as the source module it came from.
  const sourceOf = bundleSources();
  const profile: CpuProfile = {
    ...raw,
    nodes: raw.nodes.map((node) => {
      const source = sourceOf(node.callFrame.url, node.callFrame.lineNumber);
      return source ? { ...node, callFrame: { ...node.callFrame, url: source, lineNumber: -1 } } : node;
    }),
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const totalHits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const msPerHit = totalHits ? (profile.endTime - profile.startTime) / 1000 / totalHits : 0;

  const self = new Map<string, number>();
  const selfLocation = new Map<string, number>();
  const attributed = new Map<string, number>();
  const inclusiveLocation = new Map<string, number>();
  const inclusiveApp = new Map<string, number>();
  let busyMs = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits || IDLE.has(node.callFrame.functionName)) continue;
    const spent = hits * msPerHit;
    busyMs += spent;
    self.set(label(node.callFrame), (self.get(label(node.callFrame)) ?? 0) + spent);
    const where = locationOf(node.callFrame);
    selfLocation.set(where, (selfLocation.get(where) ?? 0) + spent);
    // Walk to the root once, crediting each distinct location / app function on the stack once.
    const locations = new Set<string>();
    const appFunctions = new Set<string>();
    let owner: string | undefined;
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      const location = locationOf(frame);
      if (owner === undefined && isUserLand(location)) owner = location;
      if (frame.url || frame.functionName.startsWith('(')) locations.add(location);
      if (location.startsWith('app/')) appFunctions.add(label(frame));
    }
    const charged = owner ?? (where.startsWith('(') && where !== '(native)' ? where : 'node:internal (no package on the stack)');
    attributed.set(charged, (attributed.get(charged) ?? 0) + spent);
    for (const location of locations) inclusiveLocation.set(location, (inclusiveLocation.get(location) ?? 0) + spent);
    for (const fn of appFunctions) inclusiveApp.set(fn, (inclusiveApp.get(fn) ?? 0) + spent);
  }
  return {
    busyMs,
    selfByFunction: top(self, busyMs),
    selfByLocation: top(selfLocation, busyMs),
    attributedByCaller: top(attributed, busyMs),
    inclusiveByLocation: top(inclusiveLocation, busyMs),
    inclusiveByAppFunction: top(inclusiveApp, busyMs),
  };
}

export function renderProfile(summary: ProfileSummary): string {
  const section = (title: string, entries: readonly ProfileEntry[]) =>
    [`${title}`, ...entries.map((e) => `  ${e.percent.toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(7)} ms  ${e.name}`)].join('\n');
  return [
    `gateway CPU profile: ${summary.busyMs.toFixed(0)} ms busy (idle excluded)`,
    section('self time by function:', summary.selfByFunction),
    section('self time by location:', summary.selfByLocation),
    section('self time charged to the nearest app/ file or package on the stack:', summary.attributedByCaller),
    section('inclusive time by location:', summary.inclusiveByLocation),
    section('inclusive time by app/ function:', summary.inclusiveByAppFunction),
  ].join('\n\n');
}
