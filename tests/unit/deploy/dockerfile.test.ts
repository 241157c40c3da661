/**
 * Static checks of the Dockerfile and .dockerignore. The dynamic half (running the real build
 * into a temp dir and importing dist/handler.mjs, as the builder stage does) lives in
 * tests/integration/build.test.ts.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ENTRY_POINTS } from '../../../scripts/build.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BASE_IMAGE = 'public.ecr.aws/lambda/nodejs:24';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** Splits a Dockerfile into stages of instructions (comments dropped, `\` continuations joined). */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  const stages: { from: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: from?.[1] ?? args, name: from?.[2], instructions: [] });
      continue;
    }
    const current = stages.at(-1);
    if (!current) throw new Error(`instruction before FROM: ${line}`);
    current.instructions.push({ keyword, args });
  }
  return stages;
}

const stages = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const builder = stages[0]!;
const final = stages.at(-1)!;
const dockerignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
  .split(/\r?\n/)
  .map((line) => line.trim())
  .filter((line) => line.length > 0 && !line.startsWith('#'));

/** `.gitignore`-style `entry` is excluded by .dockerignore `pattern`: the same path, a parent folder, or a `*` glob of one segment. */
function coveredBy(entry: string, pattern: string): boolean {
  const target = entry.replace(/^\//, '').replace(/\/$/, '');
  const rule = pattern.replace(/^\*\*\//, '').replace(/\/$/, '');
  const glob = new RegExp(`^${rule.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  const segments = target.split('/');
  return segments.some((_, i) => glob.test(segments.slice(0, i + 1).join('/')));
}

const argsOf = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const indexOf = (stage: Stage, keyword: string, args: string) =>
  stage.instructions.findIndex((i) => i.keyword === keyword && i.args === args);

describe('Dockerfile: stages', () => {
  it('has a builder stage and a final stage, both on the Lambda Node.js 24 base image', () => {
    // Prepare
    const froms = stages.map((stage) => stage.from);

    // Act
    const builderName = builder.name;

    // Assess
    expect(stages).to.have.length(2);
    expect(froms).to.deep.equal([BASE_IMAGE, BASE_IMAGE]);
    expect(builderName).to.equal('builder');
  });

  it('installs from the lockfile before copying sources, then bundles', () => {
    // Prepare
    const copyManifests = indexOf(builder, 'COPY', 'package.json package-lock.json ./');
    const install = indexOf(builder, 'RUN', 'npm ci');
    const copyApp = indexOf(builder, 'COPY', 'app ./app');
    const copyBuildScript = indexOf(builder, 'COPY', 'scripts/build.ts ./scripts/build.ts');
    const copyTsconfig = indexOf(builder, 'COPY', 'tsconfig.json ./');

    // Act
    const build = indexOf(builder, 'RUN', 'npm run build');

    // Assess
    expect(argsOf(builder, 'WORKDIR')).to.deep.equal(['/build']);
    for (const step of [copyManifests, install, copyApp, copyBuildScript, copyTsconfig, build]) expect(step).to.be.at.least(0);
    expect(copyManifests).to.be.below(install);
    expect(install).to.be.below(copyApp, 'dependency layer is cached across source changes');
    expect(Math.max(copyApp, copyBuildScript, copyTsconfig)).to.be.below(build);
  });

  it('copies only the bundle into the final image: no node_modules, no sources, no install', () => {
    // Prepare
    const copies = argsOf(final, 'COPY').concat(argsOf(final, 'ADD'));

    // Act
    const runs = argsOf(final, 'RUN');

    // Assess
    expect(copies).to.deep.equal(['--from=builder /build/dist/ ${LAMBDA_TASK_ROOT}/']);
    // The one RUN only imports the bundle, to fill V8's compile cache where it will run.
    expect(runs).to.have.length(1);
    expect(runs[0]).to.match(/^node --input-type=module -e "await import\('\$\{LAMBDA_TASK_ROOT\}\/handler\.mjs'\);/);
    expect(runs[0]).to.not.match(/npm|install|curl|wget/);
    expect(argsOf(final, 'ENV')).to.deep.equal(['NODE_COMPILE_CACHE=${LAMBDA_TASK_ROOT}/.compile-cache']);
    expect(final.instructions.map((i) => i.args).join('\n')).to.not.include('node_modules');
  });

  it('starts the gateway bundle by default, and both handlers are build entry points', () => {
    // Prepare
    const cmd = argsOf(final, 'CMD');

    // Act
    const parsed = JSON.parse(cmd[0] ?? 'null') as unknown;

    // Assess
    expect(cmd).to.have.length(1);
    expect(parsed).to.deep.equal(['handler.handler']);
    // handler.handler -> dist/handler.mjs; preTraffic.handler (template ImageConfig) -> dist/preTraffic.mjs
    expect(Object.keys(ENTRY_POINTS)).to.include.members(['handler', 'preTraffic']);
    expect(ENTRY_POINTS.preTraffic).to.equal('app/hooks/preTraffic.ts');
  });
});

describe('Dockerfile: build context (.dockerignore)', () => {
  const excluded = ['node_modules', 'dist', 'dist-local', 'dist-bench', 'tests', '.git', '.aws-sam', 'bench', 'ric'];
  for (const entry of excluded) {
    it(`keeps ${entry} out`, () => {
      // Prepare
      const patterns = new Set(dockerignore);

      // Act
      const listed = [...patterns].some((pattern) => coveredBy(entry, pattern));

      // Assess
      expect(listed, `.dockerignore lists ${entry}`).to.equal(true);
    });
  }

  it('keeps out everything git ignores (every build output, install and local file)', () => {
    // Prepare
    const ignoredByGit = readFileSync(path.join(ROOT, '.gitignore'), 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith('#'));

    // Act
    const letIn = ignoredByGit.filter((entry) => !dockerignore.some((pattern) => coveredBy(entry, pattern)));

    // Assess
    expect(ignoredByGit).to.include.members(['dist-local/', 'dist-bench/']);
    expect(letIn).to.deep.equal([]);
  });

  it('keeps what the builder copies', () => {
    // Prepare: every source of the builder's COPY lines (the last word is the destination), and their parents.
    const sources = argsOf(builder, 'COPY').flatMap((args) => args.split(/\s+/).slice(0, -1).filter((word) => !word.startsWith('--')));
    const needed = [...new Set(sources.flatMap((source) => source.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))))];

    // Act
    const dropped = needed.filter((entry) => dockerignore.some((pattern) => pattern === entry || pattern === `${entry}/` || pattern === '*'));

    // Assess
    expect(needed).to.include.members(['package.json', 'package-lock.json', 'tsconfig.json', 'app', 'scripts', 'scripts/build.ts', 'scripts/esbuild']);
    expect(dropped).to.deep.equal([]);
  });

});

describe('Dockerfile: parser used by these tests', () => {
  it('joins continuation lines and drops comments like Docker does', () => {
    // Prepare
    const text = 'FROM a AS one\n# note\nRUN x \\\n  && y\nFROM b\nCMD ["z"]\n';

    // Act
    const parsed = parseDockerfile(text);

    // Assess
    expect(parsed).to.deep.equal([
      { from: 'a', name: 'one', instructions: [{ keyword: 'RUN', args: 'x    && y' }] },
      { from: 'b', name: undefined, instructions: [{ keyword: 'CMD', args: '["z"]' }] },
    ]);
  });
});
