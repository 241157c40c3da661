/**
 * Tools from outside npm that some suites drive: cfn-lint with the SAM translator (template
 * checks) and Python's boto3 1.39+ (end-to-end tests with a second stock client). On a machine
 * without them those suites are skipped with one line saying what to install; CI sets
 * REQUIRE_EXTERNAL_TOOLS=1 (.ci/run), where a missing tool fails the run instead.
 */
import { spawnSync } from 'node:child_process';
import { runtimeClientProblem } from '../../ric/runtimeClient.ts';

export const CFN_LINT = process.env.CFN_LINT ?? 'cfn-lint';
/** The Python that has cfn-lint's dependencies (the SAM translator). */
export const SAM_PYTHON = process.env.SAM_PYTHON ?? 'python3';
export const PYTHON = process.env.PYTHON ?? 'python3';

interface Tool {
  readonly name: string;
  readonly install: string;
  /** Undefined when usable, else why not. */
  readonly problem: () => string | undefined;
}

function commandProblem(command: string, args: readonly string[]): string | undefined {
  const run = spawnSync(command, [...args], { encoding: 'utf8', timeout: 60_000 });
  if (run.error) return `${command}: ${(run.error as NodeJS.ErrnoException).code ?? run.error.message}`;
  return run.status === 0 ? undefined : `${command} ${args.join(' ')}: ${`${run.stderr}${run.stdout}`.trim().split('\n').at(-1)}`;
}

export const CFN_LINT_TOOL: Tool = {
  name: 'cfn-lint with the SAM translator',
  install: 'pip install cfn-lint (it brings aws-sam-translator)',
  problem: () => commandProblem(CFN_LINT, ['--version']) ?? commandProblem(SAM_PYTHON, ['-c', 'import samtranslator']),
};

export const BOTO3_TOOL: Tool = {
  name: 'boto3 1.39 or later',
  install: 'pip install "boto3>=1.39"',
  problem: () =>
    commandProblem(PYTHON, ['-c', "import sys, boto3; sys.exit(0 if tuple(map(int, boto3.__version__.split('.')[:2])) >= (1, 39) else 'boto3 ' + boto3.__version__ + ' is older than 1.39')"]),
};

const checked = new Map<Tool, string | undefined>();

/**
 * In a suite's `describe`: skips the suite when `tool` is missing (one line on stdout), or fails
 * it when REQUIRE_EXTERNAL_TOOLS=1. The check runs once per tool per test run.
 */
export function requireTool(tool: Tool): void {
  before(function () {
    if (!checked.has(tool)) {
      const problem = tool.problem();
      checked.set(tool, problem);
      if (problem && process.env.REQUIRE_EXTERNAL_TOOLS !== '1') console.log(`      skipped: ${tool.name} is not installed (${problem}); install it with: ${tool.install}`);
    }
    const problem = checked.get(tool);
    if (!problem) return;
    if (process.env.REQUIRE_EXTERNAL_TOOLS === '1') throw new Error(`${tool.name} is required here (REQUIRE_EXTERNAL_TOOLS=1): ${problem}. Install it with: ${tool.install}`);
    this.skip();
  });
}

/** Debian's Chromium (apt-get install chromium), driven by playwright-core for the browser CORS test. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_TOOL: Tool = {
  name: 'Chromium',
  install: 'apt-get install chromium (or set CHROMIUM_PATH)',
  problem: () => commandProblem(CHROMIUM, ['--version']),
};

/** The real Lambda runtime client, built by `npm run setup:lambda-runtime` (about 4 minutes) into ric/node_modules. */
export const RUNTIME_CLIENT_TOOL: Tool = {
  name: 'the Lambda runtime client (aws-lambda-ric)',
  install: 'npm run setup:lambda-runtime',
  problem: runtimeClientProblem,
};
