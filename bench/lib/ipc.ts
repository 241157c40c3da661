/**
 * The child side of the parent <-> child protocol: the child announces itself once with
 * `ready`, then answers `{ id, type, payload }` calls with `{ id, ok, result | error }`.
 */

export interface CallMessage {
  readonly id: number;
  readonly type: string;
  readonly payload?: unknown;
}

export type ReplyMessage =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

export interface ReadyMessage {
  readonly type: 'ready';
  readonly info: unknown;
}

export type Handlers = Record<string, (payload: unknown) => unknown>;

function send(message: ReplyMessage | ReadyMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) throw new Error('This script must be started with child_process.fork');
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Serves calls from the parent; a `stop` handler that ends the process must be among them. */
export function serveCalls(handlers: Handlers): void {
  process.on('message', async (raw: CallMessage) => {
    const handler = handlers[raw.type];
    try {
      if (!handler) throw new Error(`Unknown call ${raw.type}`);
      const result = await handler(raw.payload);
      await send({ id: raw.id, ok: true, result: result ?? null });
    } catch (error) {
      await send({ id: raw.id, ok: false, error: (error as Error).stack ?? String(error) });
    }
  });
  // The parent went away: do not linger as an orphan holding a port.
  process.on('disconnect', () => process.exit(0));
}

export const announceReady = (info: unknown): Promise<void> => send({ type: 'ready', info });
