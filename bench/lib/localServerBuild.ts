/**
 * The gateway child runs as `npm start` does: bundled by the same esbuild settings (no
 * TypeScript stripping at run time) and started with the same V8 flags and environment variables, which are read from
 * package.json's `start` script so the two cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleLocal } from '../../scripts/build.ts';

export interface StartScriptLaunch {
  /** Variables set before `node` (e.g. MALLOC_ARENA_MAX=1). */
  readonly env: Record<string, string>;
  /** The `node` flags written before dist-local/server.mjs (heap limits, JIT tiers). */
  readonly nodeFlags: string[];
}

/** How package.json's `start` script launches dist-local/server.mjs: its variables and node flags. */
export function parseStartScript(start: string): StartScriptLaunch {
  // `exec` (the shell hands its process to node, so npm's SIGTERM reaches the server) is optional.
  const match = /((?:\b[A-Z_][A-Z0-9_]*=\S+\s+)*)(?:exec\s+)?node((?:\s+--\S+)*)\s+dist-local\/server\.mjs/.exec(start);
  if (!match) throw new Error(`package.json "start" does not run dist-local/server.mjs: ${start}`);
  const env = Object.fromEntries(
    match[1]!
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  return { env, nodeFlags: match[2]!.trim().split(/\s+/).filter(Boolean) };
}

export function startScriptLaunch(root: string): StartScriptLaunch {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return parseStartScript(pkg.scripts.start ?? '');
}

interface BenchChildScripts {
  readonly gateway: string;
  readonly floor: string;
}

/**
 * Bundles the gateway child and the floor child (bench/lib/) into dist-bench/ and returns the
 * scripts to fork. A profiled run is not minified, so the profile keeps function names and
 * esbuild's `// path` comment before each module tells which source file a sampled line came
 * from (profile.ts).
 */
export async function buildBenchChildren(root: string, { profiled = false } = {}): Promise<BenchChildScripts> {
  await bundleLocal('dist-bench', root, { gatewayChild: 'bench/lib/gatewayChild.ts', floorChild: 'bench/lib/floorChild.ts' }, { minify: !profiled });
  return { gateway: path.join(root, 'dist-bench', 'gatewayChild.mjs'), floor: path.join(root, 'dist-bench', 'floorChild.mjs') };
}
