/**
 * The parent side: fork a bench child script with this same Node (process.execPath),
 * wait for its `ready`, then call it over IPC. Each child owns one server, so its CPU time
 * and RSS are its own.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { CallMessage, ReadyMessage, ReplyMessage } from './ipc.ts';

export interface ChildHandle<Info> {
  readonly name: string;
  readonly info: Info;
  call<T>(type: string, payload?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to close its server and exit; kills it if it does not. */
  stop(): Promise<void>;
  stderrTail(): string;
}

export interface StartChildOptions {
  readonly name: string;
  readonly script: string;
  readonly env: NodeJS.ProcessEnv;
  readonly execArgv?: readonly string[];
}

const TAIL_BYTES = 8_192;
/** A child that has not announced itself by then is killed. */
const START_TIMEOUT_MS = 30_000;

export function startChild<Info>(options: StartChildOptions): Promise<ChildHandle<Info>> {
  const child = fork(options.script, [], {
    execPath: process.execPath,
    execArgv: [...(options.execArgv ?? [])],
    env: options.env,
    // stdout (request logs) goes to /dev/null; stderr is kept for the error report.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not start within ${START_TIMEOUT_MS} ms\n${tail}`));
    }, START_TIMEOUT_MS);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (code ${code}) before it was ready:\n${tail.trim()}`));
    };
    child.once('exit', onExit);
    child.once('message', (message: ReadyMessage) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(handleFor<Info>(options.name, child, message.info, () => tail));
    });
  });
}

function handleFor<Info>(name: string, child: ChildProcess, info: unknown, stderrTail: () => string): ChildHandle<Info> {
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (message: ReplyMessage) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(`${name}: ${message.error}`));
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited (code ${code}):\n${stderrTail().trim()}`));
    pending.clear();
  });

  return {
    name,
    info: info as Info,
    call<T>(type: string, payload?: unknown, timeoutMs = 30_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (child.exitCode !== null || !child.connected) return reject(new Error(`${name} is not running:\n${stderrTail().trim()}`));
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: no answer to ${type} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        const message: CallMessage = { id, type, payload };
        child.send(message);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      if (child.connected) child.send({ id: 0, type: 'stop' } satisfies CallMessage);
      else child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    },
    stderrTail,
  };
}
