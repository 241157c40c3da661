/**
 * Cold start of the Lambda bundle: `npm run build` (scripts/build.ts) when dist/ is
 * missing or older than the sources, then N fresh Node processes that each time the
 * import of dist/handler.mjs (module init included: config, clients, logger).
 */
import { spawn } from 'node:child_process';
import { bundle, COMPILE_CACHE_DIR, warmCompileCache } from '../../scripts/build.ts';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { median } from './stats.ts';

interface BundleSizes {
  readonly handlerBytes: number;
  /** handler.mjs plus every chunk it imports statically (what a cold start loads). */
  readonly eagerBytes: number;
  readonly eagerFiles: number;
  /** Everything in dist/ (all entry points and lazy chunks). */
  readonly distBytes: number;
}

export interface ColdStartResult {
  readonly built: boolean;
  readonly buildMs: number;
  /** Why a plain import failed, when it did (the figures then come from the stubbed run). */
  readonly plainImportError?: string;
  /**
   * True when the imports ran with a stand-in for the Lambda runtime's `awslambda` global
   * (streamifyResponse, HttpResponseStream), which Lambda always provides; used only
   * when the plain import fails.
   */
  readonly awslambdaStub: boolean;
  /** Why the timed imports failed even so (the import figures are then missing). */
  readonly importError?: string;
  readonly importMs: readonly number[];
  readonly importMedianMs: number;
  /** Spawn to exit of the whole fresh process, ms (Node's own start-up included). */
  readonly processMedianMs: number;
  /** The same imports with V8's compile cache filled as the Dockerfile fills it (NODE_COMPILE_CACHE). */
  readonly cachedImportMs: readonly number[];
  readonly cachedImportMedianMs: number;
  readonly sizes: BundleSizes;
}

const IMPORT_MARKER = 'BENCH_IMPORT_MS=';
const AWSLAMBDA_STUB = 'globalThis.awslambda = { streamifyResponse: (handler) => handler, HttpResponseStream: { from: (stream) => stream } };';
const importScript = (stub: boolean) =>
  `${stub ? AWSLAMBDA_STUB : ''} const t = performance.now(); await import('./dist/handler.mjs'); console.log('${IMPORT_MARKER}' + (performance.now() - t));`;

/** The error lines of a failed run (not the minified source line Node prints above them). */
function errorLines(output: string): string {
  const lines = output.split('\n').filter((line) => /^\s*(\w*Error\b|at\s)/.test(line));
  return (lines.length ? lines.slice(0, 4) : output.split('\n').slice(-4)).map((line) => line.trim().slice(0, 200)).join(' | ');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function needsBuild(root: string): boolean {
  const handler = path.join(root, 'dist/handler.mjs');
  if (!existsSync(handler)) return true;
  const built = statSync(handler).mtimeMs;
  // The sources, the build script and its helpers (scripts/), and the locked dependencies.
  const inputs = [newestMtime(path.join(root, 'app')), newestMtime(path.join(root, 'scripts')), statSync(path.join(root, 'package-lock.json')).mtimeMs];
  return inputs.some((mtime) => mtime > built);
}

/** The bundle's own files: the compile cache the cold-start phase fills is not part of the bundle. */
function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && !entry.parentPath.includes(COMPILE_CACHE_DIR)) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** Follows static `import ... from "./x.mjs"` edges (esbuild's minified output) from the entry. */
function eagerClosure(entry: string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  const staticImport = /(?:^|[;}\s])import\s*(?:[\w$*{}\s,]+from\s*)?["'](\.{1,2}\/[^"']+)["']/g;
  while (queue.length) {
    const file = queue.pop()!;
    for (const match of readFileSync(file, 'utf8').matchAll(staticImport)) {
      const target = path.resolve(path.dirname(file), match[1]!);
      if (!seen.has(target) && existsSync(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return [...seen];
}

function bundleSizes(root: string): BundleSizes {
  const handler = path.join(root, 'dist/handler.mjs');
  const eager = eagerClosure(handler);
  return {
    handlerBytes: statSync(handler).size,
    eagerBytes: eager.reduce((sum, file) => sum + statSync(file).size, 0),
    eagerFiles: eager.length,
    distBytes: dirBytes(path.join(root, 'dist')),
  };
}

/** A minimal environment: enough for module init to succeed, nothing inherited by accident. */
function handlerEnv(compileCache?: string): NodeJS.ProcessEnv {
  return {
    ...(compileCache ? { NODE_COMPILE_CACHE: compileCache } : {}),
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PROXY_API_KEYS: 'x',
    OPENAI_API_KEY: 'x',
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: 'WARN',
  };
}

function timeOneImport(root: string, stub: boolean, timeoutMs: number, compileCache?: string): Promise<{ importMs: number; processMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', importScript(stub)], { cwd: root, env: handlerEnv(compileCache), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const processMs = performance.now() - started;
      const line = out.split('\n').find((l) => l.startsWith(IMPORT_MARKER));
      if (code !== 0 || !line) return reject(new Error(`importing dist/handler.mjs failed (exit ${code}): ${errorLines(out)}`));
      resolve({ importMs: Number(line.slice(IMPORT_MARKER.length)), processMs });
    });
  });
}

export async function measureColdStart(root: string, runs: number, forceBuild: boolean, log: (line: string) => void): Promise<ColdStartResult> {
  let built = false;
  let buildMs = 0;
  if (forceBuild || needsBuild(root)) {
    log('cold start: building dist/ (scripts/build.ts)');
    const started = performance.now();
    // What `npm run build` runs, in this process (esbuild errors throw and fail the scenario).
    await bundle('dist', root);
    buildMs = performance.now() - started;
    built = true;
  }
  const sizes = bundleSizes(root);
  log(`cold start: ${runs} fresh imports of dist/handler.mjs`);
  let stub = false;
  let plainImportError: string | undefined;
  let importError: string | undefined;
  const importMs: number[] = [];
  const processMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    try {
      const run = await timeOneImport(root, stub, 20_000);
      importMs.push(run.importMs);
      processMs.push(run.processMs);
    } catch (error) {
      if (stub || i > 0) {
        importError = (error as Error).message;
        break;
      }
      // Outside Lambda the runtime global is missing; retry as Lambda would run it, and say so.
      plainImportError = (error as Error).message;
      log(`cold start: plain import failed, retrying with an awslambda stand-in: ${plainImportError}`);
      stub = true;
      i--;
    }
  }
  // As the image starts: with the compile cache the Dockerfile fills at build time.
  const cacheDir = await warmCompileCache(path.join(root, 'dist'));
  log(`cold start: ${runs} fresh imports with the compile cache (${path.relative(root, cacheDir)})`);
  const cachedImportMs: number[] = [];
  for (let i = 0; i < runs && !importError; i++) cachedImportMs.push((await timeOneImport(root, stub, 20_000, cacheDir)).importMs);
  return {
    built,
    buildMs,
    cachedImportMs,
    cachedImportMedianMs: median(cachedImportMs),
    ...(plainImportError ? { plainImportError } : {}),
    ...(importError ? { importError } : {}),
    awslambdaStub: stub,
    importMs,
    importMedianMs: median(importMs),
    processMedianMs: median(processMs),
    sizes,
  };
}
