/** V8's sampling CPU profiler (what --cpu-prof uses) in a measured child, scoped to the phase the parent asks for. */
import { writeFileSync } from 'node:fs';
import type { Session } from 'node:inspector/promises';
import type { Handlers } from './ipc.ts';

const PROFILE_INTERVAL_US = 250;

/** The `profileStart` and `profileStop` IPC calls (`profileStop` writes the .cpuprofile to `{ file }`). */
export function profilerCalls(): Handlers {
  let profiler: Session | undefined;
  return {
    profileStart: async () => {
      // Imported here, not at the top: the inspector module adds about 2.5 MB of RSS to the child
      // being measured, which only a profiled run should carry.
      const { Session: InspectorSession } = await import('node:inspector/promises');
      profiler = new InspectorSession();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
      await profiler.post('Profiler.start');
      return null;
    },
    profileStop: async (payload) => {
      if (!profiler) throw new Error('profileStart was not called');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      const file = (payload as { file: string }).file;
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}
