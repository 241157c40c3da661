import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { FLOORS } from './floors.ts';
import { floorViolations, importCycles, importGraph, privateImports, ROOT, sourceFiles, type ImportGraph } from './imports.ts';

describe('architecture: app/ floors', () => {
  const graph = importGraph(sourceFiles('app'));

  it('reads the real import graph (every room has files, imports resolve to files that exist)', () => {
    // Assess: a parser that found nothing would pass every rule below.
    const rooms = new Set([...graph.keys()].map((file) => file.split('/')[1]));
    expect([...rooms].sort()).to.deep.equal(Object.keys(FLOORS).sort());
    const missing = [...graph.values()].flat().filter((target) => target.startsWith('app/') && !graph.has(target));
    expect(missing, 'imports of files that do not exist').to.deep.equal([]);
    expect([...graph.values()].flat().length).to.be.greaterThan(200);
  });

  it('has no import from a lower floor to a higher one', () => {
    expect(floorViolations(graph, FLOORS)).to.deep.equal([]);
  });

  it('has no import circle', () => {
    expect(importCycles(graph)).to.deep.equal([]);
  });
});

/**
 * What bench/ may import from app/: the doors users go through. The configuration (loadConfig),
 * the composition's public builders (buildGateway, buildUpstreamClient), the local server as
 * `npm start` runs it (runLocalGateway) and the dev fake upstream. The Lambda bundle is reached
 * through scripts/build.ts and dist/, never through app/.
 */
const BENCH_DOORS: ReadonlySet<string> = new Set(['app/config/config.ts', 'app/gateway/composition.ts', 'app/local/main.ts', 'app/dev/fakeUpstream.ts']);

describe('architecture: bench/ goes through public doors', () => {
  const graph = importGraph(sourceFiles('bench'));

  it('reads the real import graph (its files, its tests, and its imports of app/)', () => {
    // Assess: a parser that found nothing would pass every rule below.
    expect(graph.has('bench/run.ts')).to.equal(true);
    expect([...graph.keys()].filter((file) => file.startsWith('bench/tests/')).length).to.be.greaterThan(0);
    const appImports = [...graph.values()].flat().filter((target) => target.startsWith('app/'));
    expect(appImports.length).to.be.greaterThan(0);
    const missing = [...graph.values()].flat().filter((target) => !graph.has(target) && !existsSync(path.join(ROOT, target)));
    expect(missing, 'imports of files that do not exist').to.deep.equal([]);
  });

  it('imports from app/ only the public doors', () => {
    expect(privateImports(graph, 'app', BENCH_DOORS)).to.deep.equal([]);
  });

  it('has no import circle', () => {
    expect(importCycles(graph)).to.deep.equal([]);
  });
});

describe('architecture: the rule checkers', () => {
  const graph: ImportGraph = new Map([
    ['app/core/errors.ts', ['app/operations/converse.ts']],
    ['app/operations/converse.ts', ['app/core/errors.ts', 'app/upstream/errors.ts']],
    ['app/upstream/errors.ts', []],
    ['app/attic/old.ts', []],
    ['bench/run.ts', ['app/operations/converse.ts', 'app/config/config.ts']],
  ]);
  const floors = { core: 0, upstream: 2, operations: 3 };

  it('reports an import that runs up a floor, and a room without a floor', () => {
    // Act
    const violations = floorViolations(new Map([...graph].filter(([file]) => file.startsWith('app/'))), floors);
    // Assess
    expect(violations.map((v) => v.reason)).to.deep.equal(['core (floor 0) imports operations (floor 3)', 'app/attic has no floor']);
  });

  it('reports a circle once, whichever file it is entered from', () => {
    // Act
    const cycles = importCycles(graph);
    // Assess
    expect(cycles).to.deep.equal([['app/core/errors.ts', 'app/operations/converse.ts']]);
  });

  it('reports imports of anything but the public modules', () => {
    // Act
    const violations = privateImports(new Map([['bench/run.ts', graph.get('bench/run.ts')!]]), 'app', new Set(['app/config/config.ts']));
    // Assess
    expect(violations.map((v) => v.to)).to.deep.equal(['app/operations/converse.ts']);
  });
});

describe('architecture: the environment is read in app/config/ only', () => {
  it('has no process.env outside app/config/', () => {
    // Prepare
    const readers = sourceFiles('app').filter((file) => !file.startsWith('app/config/'));
    // Act
    const offenders = readers.filter((file) => /\bprocess\.env\b/.test(readFileSync(path.join(ROOT, file), 'utf8')));
    // Assess
    expect(readers.length).to.be.greaterThan(50);
    expect(offenders).to.deep.equal([]);
  });
});
