/**
 * The gateway child runs as `npm start` does: bundled by the same esbuild settings (no
 * TypeScript stripping at run time) and started with the same V8 flags, which are read from
 * package.json's `start` script so the two cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleLocal } from '../../scripts/build.ts';

/** The `node` flags (heap limits) written before dist-local/server.mjs in `npm start`. */
export function startScriptNodeFlags(root: string): string[] {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const start = pkg.scripts.start ?? '';
  const match = /node((?:\s+--\S+)*)\s+dist-local\/server\.mjs/.exec(start);
  if (!match) throw new Error(`package.json "start" does not run dist-local/server.mjs: ${start}`);
  return match[1]!.trim().split(/\s+/).filter(Boolean);
}

/** Bundles bench/lib/gatewayChild.ts into dist-bench/ and returns the script to fork. */
export async function buildGatewayChild(root: string): Promise<string> {
  await bundleLocal('dist-bench', root, { gatewayChild: 'bench/lib/gatewayChild.ts' });
  return path.join(root, 'dist-bench', 'gatewayChild.mjs');
}
