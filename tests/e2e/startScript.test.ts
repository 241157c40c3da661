/**
 * `npm start` as a newcomer runs it: the bundled server comes up, warns when no upstream key is
 * configured (and the deep health check says so), and SIGTERM to npm stops it, port and all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { expect } from 'chai';
import { startFakeUpstream, type FakeUpstream } from '../../app/dev/fakeUpstream.ts';
import { sleep, waitFor } from '../helpers/wait.ts';

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('npm start', function () {
  this.timeout(90_000);
  let upstream: FakeUpstream;
  let npm: ChildProcess;
  let output = '';
  let url = '';

  before(async () => {
    upstream = await startFakeUpstream();
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', OPENAI_BASE_URL: upstream.baseURL, PROXY_API_KEYS: 'start-test-key' };
    npm = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => /listening on (http:\/\/\S+)/.test(output), 60_000);
    url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
  });
  after(async () => {
    if (npm.exitCode === null) npm.kill('SIGKILL');
    await upstream.close();
  });

  it('warns at start that no upstream key is configured', () => {
    // Assess
    expect(url, output).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(output).to.include('NO UPSTREAM KEY CONFIGURED');
  });

  it('reports the missing key in the deep health check', async () => {
    // Act
    const response = await fetch(`${url}/health?deep=1`);
    // Assess
    expect(response.status).to.equal(200);
    expect((await response.json()) as unknown).to.deep.include({ checks: { secrets: 'no upstream key configured (OPENAI_API_KEY or OPENAI_API_KEY_SECRET_ID)', upstream: 'ok' } });
  });

  it('stops on SIGTERM to npm and frees its port', async () => {
    // Prepare
    const port = Number(new URL(url).port);
    expect(await portOpen(port)).to.equal(true);
    // Act
    npm.kill('SIGTERM');
    await once(npm, 'exit');
    // Assess: nothing is left listening (the server was npm's child)
    await sleep(300);
    expect(await portOpen(port)).to.equal(false);
  });
});
