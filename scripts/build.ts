/**
 * Bundles the Lambda entry points with esbuild into dist/: one minified ESM file per
 * entry, plus lazily loaded chunks (tokenizer ranks, Secrets Manager client, tracer) so
 * a cold start imports only what every request needs. The Dockerfile runs this.
 */
import { build, type BuildResult, type Plugin } from 'esbuild';
import { rm } from 'node:fs/promises';
import path from 'node:path';

export const ENTRY_POINTS = {
  handler: 'app/lambda/handler.ts',
  preTraffic: 'app/hooks/preTraffic.ts',
} as const;

/** Trims dependencies to what the handler uses (see the two files in scripts/esbuild/). */
function slimDependencies(root: string): Plugin {
  return {
    name: 'slim-dependencies',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^undici$/ }, () => ({ path: path.resolve(root, 'scripts/esbuild/undici-lite.cjs') }));
      pluginBuild.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
        args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.resolve(root, 'scripts/esbuild/zod-locales-en.js') } : undefined,
      );
    },
  };
}

export async function bundle(outdir = 'dist', root = process.cwd()): Promise<BuildResult> {
  await rm(path.resolve(root, outdir), { recursive: true, force: true });
  return build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, file]) => [name, path.resolve(root, file)])),
    outdir: path.resolve(root, outdir),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    legalComments: 'none',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
    // Some dependencies are CommonJS and call require() for Node built-ins.
    // undici skips its experimental Milo parser (and its inlined WASM) when bundled by esbuild.
    define: { esbuildDetection: '1' },
    plugins: [slimDependencies(root)],
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
}

if (import.meta.main) {
  const outdir = process.argv[2] ?? 'dist';
  const result = await bundle(outdir);
  const outputs = Object.entries(result.metafile?.outputs ?? {});
  for (const [file, info] of outputs.filter(([f]) => !f.endsWith('.map'))) {
    console.log(`${file.padEnd(48)} ${(info.bytes / 1024).toFixed(1).padStart(9)} KiB`);
  }
}
