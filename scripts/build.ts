/**
 * Bundles the Lambda entry points with esbuild into dist/: one minified ESM file per
 * entry, plus lazily loaded chunks (tokenizer ranks, Secrets Manager client, tracer) so
 * a cold start imports only what every request needs. The Dockerfile runs this.
 */
import { execFile } from 'node:child_process';
import { build, type BuildResult, type Plugin } from 'esbuild';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

export const ENTRY_POINTS = {
  handler: 'app/lambda/handler.ts',
  preTraffic: 'app/hooks/preTraffic.ts',
} as const;

/** Trims dependencies to what the handler uses (see the files in scripts/esbuild/). */
function slimDependencies(root: string): Plugin {
  return {
    name: 'slim-dependencies',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^undici$/ }, () => ({ path: path.resolve(root, 'scripts/esbuild/undici-lite.cjs') }));
      pluginBuild.onResolve({ filter: /^\.\/client-h2\.js$/ }, (args) =>
        args.importer.includes(`${path.sep}undici${path.sep}`) ? { path: path.resolve(root, 'scripts/esbuild/undici-no-h2.cjs') } : undefined,
      );
      pluginBuild.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
        args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.resolve(root, 'scripts/esbuild/zod-locales-en.js') } : undefined,
      );
    },
  };
}

/** The Lambda image's entry points into `outdir` (default dist/). */
export async function bundle(outdir = 'dist', root = process.cwd()): Promise<BuildResult> {
  return bundleEntries(ENTRY_POINTS, outdir, root);
}

/**
 * The local server (`npm start`) bundled the same way into dist-local/: it then runs the code
 * the Lambda runs, without loading TypeScript sources through Node's type stripper.
 */
export const LOCAL_ENTRY_POINTS = { server: 'app/local/main.ts' } as const;

export async function bundleLocal(
  outdir = 'dist-local',
  root = process.cwd(),
  entries: Record<string, string> = LOCAL_ENTRY_POINTS,
  { minify = true }: { readonly minify?: boolean } = {},
): Promise<BuildResult> {
  return bundleEntries(entries, outdir, root, minify);
}

async function bundleEntries(entries: Record<string, string>, outdir: string, root: string, minify = true): Promise<BuildResult> {
  await rm(path.resolve(root, outdir), { recursive: true, force: true });
  return build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.resolve(root, file)])),
    outdir: path.resolve(root, outdir),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify,
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

/** Where the image keeps V8's compile cache for the bundle (the Dockerfile sets NODE_COMPILE_CACHE to it). */
export const COMPILE_CACHE_DIR = '.compile-cache';

/**
 * Fills Node's on-disk compile cache by importing each bundled entry once in a fresh process.
 * The cache is keyed by file path, so it is made where the files will run: the Dockerfile does
 * the same import in the final image, at /var/task. It cuts the bundle's cold import by about a
 * fifth (bench/README.md). The benchmark uses this function for its local dist/.
 */
export async function warmCompileCache(distDir: string, entries: readonly string[] = Object.keys(ENTRY_POINTS)): Promise<string> {
  const cacheDir = path.join(distDir, COMPILE_CACHE_DIR);
  const imports = entries.map((name) => `await import(${JSON.stringify(path.join(distDir, `${name}.mjs`))});`).join('');
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', `${imports}process.exit(0);`], {
    env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: cacheDir, LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  return cacheDir;
}

if (import.meta.main) {
  const local = process.argv.includes('--local');
  const outdir = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
  const result = local ? await bundleLocal(outdir) : await bundle(outdir);
  const outputs = Object.entries(result.metafile?.outputs ?? {});
  for (const [file, info] of outputs.filter(([f]) => !f.endsWith('.map'))) {
    console.log(`${file.padEnd(48)} ${(info.bytes / 1024).toFixed(1).padStart(9)} KiB`);
  }
}
