import { expect } from 'chai';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { createTracing, noTracing, tracerTracing } from '../../../app/observability/tracing.ts';

interface FakeSegment {
  readonly name: string;
  readonly children: FakeSegment[];
  readonly errors: unknown[];
  readonly annotations: Record<string, string>;
  closed: boolean;
  addNewSubsegment(name: string): FakeSegment;
  addAnnotation(key: string, value: string): void;
  addError(error: unknown): void;
  close(): void;
}

function fakeSegment(name: string): FakeSegment {
  const segment: FakeSegment = {
    name,
    children: [],
    errors: [],
    annotations: {},
    closed: false,
    addAnnotation(key, value) {
      segment.annotations[key] = value;
    },
    addNewSubsegment(childName) {
      const child = fakeSegment(childName);
      segment.children.push(child);
      return child;
    },
    addError(error) {
      segment.errors.push(error);
    },
    close() {
      segment.closed = true;
    },
  };
  return segment;
}

/** A tracer holding one current segment, recording every setSegment call. */
function fakeTracer(root: FakeSegment | undefined) {
  const state = { current: root, sets: [] as (FakeSegment | undefined)[] };
  const tracer = {
    getSegment: () => state.current,
    setSegment: (segment: FakeSegment) => {
      state.sets.push(segment);
      state.current = segment;
    },
  };
  return { state, tracer: tracer as unknown as Pick<Tracer, 'getSegment' | 'setSegment'> };
}

describe('tracerTracing', () => {
  it("annotates the subsegment (the request's caller, searchable in X-Ray)", async () => {
    // Prepare
    const root = fakeSegment('root');
    const { tracer } = fakeTracer(root);
    // Act
    await tracerTracing(tracer).span('gateway.Converse', async () => 'ok', { caller: 'alice', authMethod: 'jwt' });
    // Assess
    expect(root.children[0]?.annotations).to.deep.equal({ caller: 'alice', authMethod: 'jwt' });
    expect(root.annotations).to.deep.equal({});
  });

  it('opens a named subsegment around the work, closes it and restores the parent', async () => {
    // Prepare
    const root = fakeSegment('root');
    const { state, tracer } = fakeTracer(root);
    let currentDuringWork: FakeSegment | undefined;
    // Act
    const result = await tracerTracing(tracer).span('upstream.chat', async () => {
      currentDuringWork = state.current;
      return 'answer';
    });
    // Assess
    expect(result).to.equal('answer');
    expect(root.children.map((c) => c.name)).to.deep.equal(['upstream.chat']);
    const sub = root.children[0] as FakeSegment;
    expect(currentDuringWork).to.equal(sub);
    expect(sub.closed).to.equal(true);
    expect(sub.errors).to.deep.equal([]);
    expect(state.current).to.equal(root);
    expect(state.sets).to.deep.equal([sub, root]);
  });

  it('records the error on the subsegment, closes it, restores the parent and rethrows', async () => {
    // Prepare
    const root = fakeSegment('root');
    const { state, tracer } = fakeTracer(root);
    const failure = new Error('upstream down');
    // Act
    let thrown: unknown;
    try {
      await tracerTracing(tracer).span('upstream.chat', async () => {
        throw failure;
      });
    } catch (error) {
      thrown = error;
    }
    // Assess
    const sub = root.children[0] as FakeSegment;
    expect(thrown).to.equal(failure);
    expect(sub.errors).to.deep.equal([failure]);
    expect(sub.closed).to.equal(true);
    expect(state.current).to.equal(root);
  });

  it('nests spans under the enclosing subsegment', async () => {
    // Prepare
    const root = fakeSegment('root');
    const { state, tracer } = fakeTracer(root);
    const tracing = tracerTracing(tracer);
    // Act
    await tracing.span('outer', () => tracing.span('inner', async () => undefined));
    // Assess
    const outer = root.children[0] as FakeSegment;
    expect(outer.name).to.equal('outer');
    expect(outer.children.map((c) => c.name)).to.deep.equal(['inner']);
    expect(outer.children[0]?.closed).to.equal(true);
    expect(outer.closed).to.equal(true);
    expect(state.current).to.equal(root);
  });

  it('just runs the work when there is no active segment', async () => {
    // Prepare
    const { state, tracer } = fakeTracer(undefined);
    // Act
    const result = await tracerTracing(tracer).span('upstream.chat', async () => 7);
    // Assess
    expect(result).to.equal(7);
    expect(state.sets).to.deep.equal([]);
  });
});

describe('createTracing', () => {
  it('returns the no-op tracing when disabled', () => {
    // Act
    const tracing = createTracing(false);
    // Assess
    expect(tracing).to.equal(noTracing);
  });

  it('the no-op tracing runs the work and passes its result and errors through', async () => {
    // Prepare
    const failure = new Error('x');
    // Act
    const result = await noTracing.span('anything', async () => 'done');
    const rejected = await noTracing.span('anything', async () => Promise.reject(failure)).catch((error: unknown) => error);
    // Assess
    expect(result).to.equal('done');
    expect(rejected).to.equal(failure);
  });

  it('enabled outside Lambda (no active segment), still runs the work', async () => {
    // Act
    const result = await createTracing(true).span('upstream.chat', async () => 'ok');
    // Assess
    expect(result).to.equal('ok');
  });
});
