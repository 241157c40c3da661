import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseStartScript, startScriptLaunch } from '../lib/localServerBuild.ts';

describe('bench: the gateway is launched as npm start launches it', () => {
  const cases: readonly (readonly [string, Record<string, string>, string[]])[] = [
    ['node scripts/build.ts --local >/dev/null && node dist-local/server.mjs', {}, []],
    ['node scripts/build.ts --local && node --max-semi-space-size=16 --no-maglev dist-local/server.mjs', {}, ['--max-semi-space-size=16', '--no-maglev']],
    ['node scripts/build.ts --local && MALLOC_ARENA_MAX=2 A_B=x=y node --max-old-space-size=512 dist-local/server.mjs', { MALLOC_ARENA_MAX: '2', A_B: 'x=y' }, ['--max-old-space-size=512']],
    ['node scripts/build.ts --local && MALLOC_ARENA_MAX=1 exec node --no-maglev dist-local/server.mjs', { MALLOC_ARENA_MAX: '1' }, ['--no-maglev']],
  ];
  for (const [start, env, nodeFlags] of cases) {
    it(`reads variables and node flags from: ${start}`, () => {
      // Act
      const launch = parseStartScript(start);
      // Assess
      expect(launch).to.deep.equal({ env, nodeFlags });
    });
  }

  it('refuses a start script that does not run dist-local/server.mjs', () => {
    // Act
    const parse = () => parseStartScript('node app/local/main.ts');
    // Assess
    expect(parse).to.throw('does not run dist-local/server.mjs');
  });

  it("reads this repo's own start script (what the benchmark runs)", () => {
    // Prepare
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
    // Act
    const launch = startScriptLaunch(process.cwd());
    // Assess
    // Everything after the build step was read: each variable and each flag, in order.
    const rebuilt = [...Object.entries(launch.env).map(([name, value]) => `${name}=${value}`), 'exec node', ...launch.nodeFlags, 'dist-local/server.mjs'].join(' ');
    expect(pkg.scripts.start.endsWith(`&& ${rebuilt}`), `${pkg.scripts.start} ends with && ${rebuilt}`).to.equal(true);
    expect(launch.nodeFlags.length).to.be.greaterThan(0);
  });
});
