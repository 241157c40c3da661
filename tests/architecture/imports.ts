/**
 * The repository's import graph, read with a real parser (oxc), type-only imports included, and
 * the rules the architecture tests check on it: floors in app/, the bench's public doors, no circles.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSync } from 'oxc-parser';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Relative specifiers a file imports (static, re-exported and dynamic), in source order. */
function importSpecifiers(file: string, source: string): string[] {
  const { module } = parseSync(file, source);
  const specifiers = [
    ...module.staticImports.map((entry) => entry.moduleRequest.value),
    ...module.staticExports.flatMap((entry) => entry.entries.flatMap((item) => (item.moduleRequest ? [item.moduleRequest.value] : []))),
    ...module.dynamicImports.map(({ moduleRequest }) => source.slice(moduleRequest.start, moduleRequest.end).replace(/^['"`]|['"`]$/g, '')),
  ];
  return specifiers.filter((specifier) => specifier.startsWith('.'));
}

/** Every .ts file under `dir` (relative to ROOT, forward slashes). */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) out.push(path.relative(ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
  }
  return out.sort();
}

/** file -> the files it imports (repository-relative paths). */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

export function importGraph(files: readonly string[]): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = readFileSync(path.join(ROOT, file), 'utf8');
    const targets = importSpecifiers(file, source).map((specifier) => path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
    graph.set(file, targets);
  }
  return graph;
}

/** `app/operations/converse.ts` -> `operations`; a file directly in app/ is its own room. */
const roomOf = (file: string, base = 'app'): string => file.slice(base.length + 1).split('/')[0]!;

export interface Violation {
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/**
 * Imports that run up the floors: each room of `base` has a floor number, and a file may import
 * only from its own floor or below. A room without a floor is a violation too (a new folder must
 * say where it stands).
 */
export function floorViolations(graph: ImportGraph, floors: Readonly<Record<string, number>>, base = 'app'): Violation[] {
  const violations: Violation[] = [];
  for (const [from, targets] of graph) {
    const fromRoom = roomOf(from, base);
    const fromFloor = floors[fromRoom];
    if (fromFloor === undefined) {
      violations.push({ from, to: from, reason: `${base}/${fromRoom} has no floor` });
      continue;
    }
    for (const to of targets) {
      if (!to.startsWith(`${base}/`)) continue;
      const toFloor = floors[roomOf(to, base)];
      if (toFloor === undefined || toFloor > fromFloor) {
        violations.push({ from, to, reason: `${fromRoom} (floor ${fromFloor}) imports ${roomOf(to, base)} (floor ${toFloor ?? 'none'})` });
      }
    }
  }
  return violations;
}

/** Every import circle, each once, as the list of files around it. */
export function importCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next));
        const key = [...cycle].sort().join(' ');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

/** Imports from `from`-files into `base` that are not one of the allowed public modules. */
export function privateImports(graph: ImportGraph, base: string, allowed: ReadonlySet<string>): Violation[] {
  const violations: Violation[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      if (to.startsWith(`${base}/`) && !allowed.has(to)) violations.push({ from, to, reason: `${to} is not a public module` });
    }
  }
  return violations;
}
