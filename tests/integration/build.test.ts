/**
 * Mirrors the Dockerfile's build stage (npm ci is the test run's own install; then
 * `npm run build`, i.e. scripts/build.ts) and loads the result the way the Lambda
 * runtime would: a fresh Node process importing dist/handler.mjs. Also the bundle budget
 * from the performance issue: sizes and imports are stable, so they are tested here;
 * timings stay in the benchmark.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Metafile } from 'esbuild';
import { startFakeUpstream } from '../../app/dev/fakeUpstream.ts';
import { BUDGETS } from '../../bench/lib/budgets.ts';
import { bundle, warmCompileCache } from '../../scripts/build.ts';

const run = promisify(execFile);
/** The benchmark's own budget (1.5 MB, 10^6 bytes), so the test and the bench table cannot disagree. */
const BUNDLE_BUDGET_BYTES = BUDGETS.handlerBytes;

describe('Build: the Dockerfile build steps and the bundle budget', function () {
  this.timeout(120_000);
  let outdir: string;
  let metafile: Metafile;

  before(async () => {
    outdir = await mkdtemp(path.join(tmpdir(), 'gateway-dist-'));
    metafile = (await bundle(outdir)).metafile!;
  });
  after(async () => rm(outdir, { recursive: true, force: true }));

  it('emits the two image entry points (CMD handler.handler, hook preTraffic.handler)', async () => {
    // Act
    const files = await readdir(outdir);
    // Assess
    expect(files).to.include.members(['handler.mjs', 'preTraffic.mjs']);
  });

  it(`keeps dist/handler.mjs within ${BUNDLE_BUDGET_BYTES} bytes`, async () => {
    // Act
    const { size } = await stat(path.join(outdir, 'handler.mjs'));
    // Assess
    expect(size).to.be.greaterThan(10_000);
    expect(size).to.be.at.most(BUNDLE_BUDGET_BYTES);
  });

  /** Bundle files that contain `marker` (every .mjs is read once per check). */
  async function filesContaining(marker: string): Promise<{ files: string[]; containing: string[] }> {
    const files = (await readdir(outdir, { recursive: true })).filter((file) => file.endsWith('.mjs'));
    const containing = [];
    for (const file of files) if ((await readFile(path.join(outdir, file), 'utf8')).includes(marker)) containing.push(file);
    return { files, containing };
  }

  const leftOut: ReadonlyArray<readonly [string, string]> = [
    ['the SDK clients the handler only needs as types', 'ConverseStreamCommand'],
    // An error code only undici's lib/dispatcher/client-h2.js uses.
    ["undici's HTTP/2 client (the Agent is HTTP/1.1 only)", 'ERR_HTTP2_GOAWAY_SESSION'],
  ];
  for (const [what, marker] of leftOut) {
    it(`leaves ${what} out of the bundle`, async () => {
      // Act
      const { files, containing } = await filesContaining(marker);
      // Assess
      expect(files).to.include('handler.mjs');
      expect(files.length).to.be.greaterThan(2);
      expect(containing).to.deep.equal([]);
    });
  }

  it('ships only packages listed in dependencies (what the image carries is a dependency, not a devDependency)', async () => {
    // Prepare
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { dependencies: Record<string, string> };
    // `zod/mini` -> zod, `@aws-sdk/client-lambda` -> itself; relative and node: imports are not packages.
    const packageOf = (specifier: string) => /^((?:@[^/]+\/)?[^./][^/:]*)/.exec(specifier)?.[1];
    // Act: every package the app's own bundled files import, as written (their dependencies come with them)
    const imported = new Set<string>();
    for (const [file, input] of Object.entries(metafile.inputs)) {
      if (!file.startsWith('app/')) continue;
      for (const { original } of input.imports) {
        const name = original && !original.startsWith('node:') ? packageOf(original) : undefined;
        if (name) imported.add(name);
      }
    }
    // Assess
    expect([...imported]).to.include.members(['openai', 'undici', '@aws-sdk/client-lambda', '@aws-lambda-powertools/logger']);
    expect([...imported].filter((name) => !(name in pkg.dependencies))).to.deep.equal([]);
  });

  for (const entry of ['handler.mjs', 'preTraffic.mjs']) {
    it(`${entry} imports in a fresh Node process with no node_modules beside it`, async () => {
      // Prepare: a script that imports the bundle and reports its export.
      const script = `const m = await import(${JSON.stringify(path.join(outdir, entry))}); console.log(typeof m.handler);`;
      // Act
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        cwd: outdir,
        env: { PATH: process.env.PATH, PROXY_API_KEYS: 'k', OPENAI_API_KEY: 'sk-x', LOG_LEVEL: 'ERROR', NODE_PATH: '' },
      });
      // Assess
      expect(stdout.trim()).to.equal('function');
    });
  }

  /** Runs the bundled handler in a fresh process, as the runtime would, and splits its HTTP prelude from the body. */
  async function invokeBundled(event: unknown, env: Record<string, string>): Promise<{ statusCode: number; body: string }> {
    const script = `
      import { Writable } from 'node:stream';
      const { handler } = await import(${JSON.stringify(path.join(outdir, 'handler.mjs'))});
      const chunks = [];
      const sink = new Writable({ write(c, _e, cb) { chunks.push(Buffer.from(c)); cb(); } });
      // The real client's protocol (the real-runtime test runs the client itself): a content type,
      // and the prelude written by the first write() through _onBeforeFirstWrite.
      const out = { on: sink.on.bind(sink), once: sink.once.bind(sink), off: sink.off.bind(sink), end: sink.end.bind(sink), destroy: sink.destroy.bind(sink), setContentType() {} };
      Object.defineProperty(out, 'destroyed', { get: () => sink.destroyed });
      Object.defineProperty(out, 'writableFinished', { get: () => sink.writableFinished });
      let first = true;
      out.write = (chunk) => {
        if (first) { first = false; out._onBeforeFirstWrite?.((part) => sink.write(part)); }
        return sink.write(chunk);
      };
      await handler(${JSON.stringify(event)}, out, {});
      process.stdout.write(Buffer.concat(chunks).toString('latin1'));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: outdir,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true', ...env },
    });
    const [prelude, body] = stdout.split('\u0000'.repeat(8));
    return { statusCode: JSON.parse(prelude!).statusCode, body: body! };
  }

  it('the bundled handler answers GET /health through the local response-stream fallback', async () => {
    // Prepare
    const event = { version: '2.0', rawPath: '/health', rawQueryString: '', headers: {}, requestContext: { http: { method: 'GET' }, requestId: 'r1' }, isBase64Encoded: false };
    // Act
    const { statusCode, body } = await invokeBundled(event, { PROXY_API_KEYS: 'k', OPENAI_API_KEY: 'sk-x' });
    // Assess
    expect(statusCode).to.equal(200);
    expect(JSON.parse(body)).to.deep.equal({ status: 'ok' });
  });

  it('the bundled handler serves Converse through the pooled undici client (slimmed undici)', async () => {
    // Prepare
    const upstream = await startFakeUpstream();
    const event = JSON.parse(await readFile(new URL('../../events/url-converse.json', import.meta.url), 'utf8'));
    try {
      // Act
      const { statusCode, body } = await invokeBundled(event, { PROXY_API_KEYS: 'local-test-key', OPENAI_BASE_URL: upstream.baseURL });
      // Assess
      expect(statusCode).to.equal(200);
      expect(JSON.parse(body).output.message.content[0].text).to.equal('Echo: Say hello in five words.');
      expect(upstream.stats.requests).to.equal(1);
    } finally {
      await upstream.close();
    }
  });

  it('the Dockerfile builder stage, replayed COPY by COPY in an empty folder, produces the bundle', async () => {
    // Prepare: only what the builder stage copies; node_modules stands in for its `npm ci`.
    const dockerfile = await readFile(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const builder = dockerfile.split(/^FROM /m)[1]!;
    const copies = [...builder.matchAll(/^COPY (?!--)(.+)$/gm)].map((m) => m[1]!.trim().split(/\s+/));
    const context = await mkdtemp(path.join(tmpdir(), 'gateway-docker-'));
    try {
      for (const parts of copies) {
        const destination = parts.at(-1)!;
        for (const source of parts.slice(0, -1)) {
          const target = destination.endsWith('/') ? path.join(context, destination, path.basename(source)) : path.join(context, destination);
          await cp(path.resolve(source), target, { recursive: true });
        }
      }
      await symlink(path.resolve('node_modules'), path.join(context, 'node_modules'), 'dir');
      const buildStep = /^RUN (npm run build)$/m.exec(builder);
      expect(buildStep, 'the builder stage runs npm run build').to.not.equal(null);
      // Act: the same script `npm run build` runs.
      await run(process.execPath, ['scripts/build.ts'], { cwd: context });
      // Assess
      const { size } = await stat(path.join(context, 'dist', 'handler.mjs'));
      expect(size).to.be.greaterThan(10_000);
      expect(copies.length).to.be.greaterThan(2);
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  });

  it('fills V8 compile cache for the entry points, as the Dockerfile final stage does', async () => {
    // Act
    const cacheDir = await warmCompileCache(outdir);
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(path.join(outdir, 'handler.mjs'))}); console.log(typeof m.handler);`],
      { cwd: outdir, env: { PATH: process.env.PATH, PROXY_API_KEYS: 'k', NODE_COMPILE_CACHE: cacheDir, LOG_LEVEL: 'ERROR' } },
    );
    // Assess
    expect((await readdir(cacheDir, { recursive: true })).length).to.be.greaterThan(0);
    expect(stdout.trim()).to.equal('function');
  });
});
