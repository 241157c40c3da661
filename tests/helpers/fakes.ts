/** Test doubles for the gateway's dependencies. */
import type { Upstream } from '../../app/upstream/upstream.ts';

/** An Upstream whose calls fail loudly unless the test supplies them; listModels answers [] by default. */
export function fakeUpstream(overrides: Partial<Upstream> = {}): Upstream {
  const notMocked = async (): Promise<never> => {
    throw new Error('not mocked');
  };
  return { chat: notMocked, chatStream: notMocked, embeddings: notMocked, listModels: async () => [], ...overrides };
}
