/**
 * scripts/deploy.sh (`npm run deploy -- ...`) run for real with stub `sam` and `docker` first on
 * PATH: the stub `sam` records each call's arguments, one tab-separated line per call.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';

const SCRIPT = path.resolve(import.meta.dirname, '../../../scripts/deploy.sh');

const RECORDING_SAM = `#!/usr/bin/env bash
{ printf 'sam'; printf '\\t%s' "$@"; printf '\\n'; } >> "$SAM_CALLS"
`;

/** Runs the script with `args`; returns the argument lists sam received, in call order. */
function samCallsFor(args: readonly string[]): string[][] {
  const dir = mkdtempSync(path.join(tmpdir(), 'deploy-script-'));
  try {
    const calls = path.join(dir, 'calls.tsv');
    writeFileSync(calls, '');
    writeFileSync(path.join(dir, 'sam'), RECORDING_SAM);
    writeFileSync(path.join(dir, 'docker'), '#!/usr/bin/env bash\nexit 0\n');
    chmodSync(path.join(dir, 'sam'), 0o755);
    chmodSync(path.join(dir, 'docker'), 0o755);
    execFileSync('bash', [SCRIPT, ...args], {
      env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env['PATH'] ?? ''}`, SAM_CALLS: calls },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return readFileSync(calls, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => line.split('\t').slice(1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** validate, build and deploy for one environment; only deploy gets the extra arguments. */
const expectedCalls = (env: string, deployArgs: string[]): string[][] => [
  ['validate', '--lint', '--config-env', env],
  ['build', '--config-env', env],
  ['deploy', '--config-env', env, ...deployArgs],
];

describe('scripts/deploy.sh', () => {
  const cases: { name: string; args: string[]; calls: string[][] }[] = [
    { name: 'no arguments deploy the default environment', args: [], calls: expectedCalls('default', []) },
    { name: 'an environment name selects it', args: ['prod'], calls: expectedCalls('prod', []) },
    { name: 'an environment then options passes the options to sam deploy', args: ['prod', '--region', 'eu-west-1'], calls: expectedCalls('prod', ['--region', 'eu-west-1']) },
    { name: 'an option first keeps the default environment and passes it on', args: ['--region', 'eu-west-1'], calls: expectedCalls('default', ['--region', 'eu-west-1']) },
    { name: 'an --option=value first keeps the default environment', args: ['--region=eu-west-1', '--no-confirm-changeset'], calls: expectedCalls('default', ['--region=eu-west-1', '--no-confirm-changeset']) },
    { name: 'a short option first keeps the default environment', args: ['-h'], calls: expectedCalls('default', ['-h']) },
  ];

  for (const { name, args, calls } of cases) {
    it(`${name} (${args.length === 0 ? 'no arguments' : args.join(' ')})`, () => {
      // Prepare / Act
      const received = samCallsFor(args);

      // Assess
      expect(received).to.deep.equal(calls);
    });
  }
});
