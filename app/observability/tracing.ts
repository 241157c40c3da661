/**
 * X-Ray tracing through Powertools Tracer, loaded only when tracing is on (Lambda with
 * Tracing: Active). Off, it costs nothing: the tracer and the X-Ray SDK are never imported.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';

/** Searchable X-Ray annotations (the caller's name, never a credential). */
type Annotations = Readonly<Record<string, string>>;

export interface Tracing {
  /** Runs `work` inside a subsegment named `name`, annotated (no-op without an active segment). */
  span<T>(name: string, work: () => Promise<T>, annotations?: Annotations): Promise<T>;
}

export const noTracing: Tracing = { span: (_name, work) => work() };

/** Subsegments around `work`, given a tracer (exported for tests with a fake tracer). */
export function tracerTracing(tracer: Pick<Tracer, 'getSegment' | 'setSegment'>): Tracing {
  return {
    async span(name, work, annotations) {
      const parent = tracer.getSegment();
      if (!parent) return work();
      const subsegment = parent.addNewSubsegment(name);
      if (annotations) for (const [key, value] of Object.entries(annotations)) subsegment.addAnnotation(key, value);
      tracer.setSegment(subsegment);
      try {
        return await work();
      } catch (error) {
        subsegment.addError(error as Error);
        throw error;
      } finally {
        subsegment.close();
        tracer.setSegment(parent);
      }
    },
  };
}

/** The tracer module is imported on the first span, not at cold start. */
export function createTracing(enabled: boolean): Tracing {
  if (!enabled) return noTracing;
  let loading: Promise<Tracing> | undefined;
  const load = () =>
    (loading ??= import('@aws-lambda-powertools/tracer').then(({ Tracer }) => tracerTracing(new Tracer({ captureHTTPsRequests: true }))));
  return { span: async (name, work, annotations) => (await load()).span(name, work, annotations) };
}
