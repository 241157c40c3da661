import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { expect } from 'chai';
import { FrameReader } from '../lib/eventStream.ts';
import { hasContent, SseReader } from '../lib/sse.ts';
import { locationOf, moduleStarts, sourceAt, summarizeProfile } from '../lib/profile.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const chunk = (id: number, content: string | null): string =>
  JSON.stringify({ id: `c${id}`, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] });

describe('bench SSE reader', () => {
  it('returns each data payload once its event is complete, across body chunks', () => {
    // Prepare
    const reader = new SseReader();
    const body = `data: ${chunk(1, 'Hi')}\n\ndata: ${chunk(2, '!')}\n\ndata: [DONE]\n\n`;
    const cut = body.indexOf('\n\n') + 5; // the second event split mid-payload

    // Act
    const first = reader.push(Buffer.from(body.slice(0, cut)));
    const rest = reader.push(Buffer.from(body.slice(cut)));

    // Assess
    expect(first).to.deep.equal([chunk(1, 'Hi')]);
    expect(rest).to.deep.equal([chunk(2, '!'), '[DONE]']);
  });

  it('decodes a multi-byte character split across two body chunks', () => {
    // Prepare
    const reader = new SseReader();
    const bytes = Buffer.from(`data: ${chunk(1, 'café ✓')}\n\n`);
    const cut = bytes.indexOf(Buffer.from('✓')) + 1; // inside the three-byte check mark

    // Act
    const first = reader.push(bytes.subarray(0, cut));
    const rest = reader.push(bytes.subarray(cut));

    // Assess
    expect(first).to.deep.equal([]);
    expect(rest).to.deep.equal([chunk(1, 'café ✓')]);
  });

  it('ignores comment and event lines and keeps a trailing partial event for later', () => {
    // Prepare
    const reader = new SseReader();

    // Act
    const events = reader.push(Buffer.from(`: keep-alive\n\nevent: message\ndata: ${chunk(1, 'a')}\n\ndata: {"partial`));
    const later = reader.push(Buffer.from('":1}\n\n'));

    // Assess
    expect(events).to.deep.equal([chunk(1, 'a')]);
    expect(later).to.deep.equal(['{"partial":1}']);
  });
});

describe('bench hasContent (the direct path’s first event)', () => {
  const cases: { name: string; data: string; expected: boolean }[] = [
    { name: 'a chunk with text', data: chunk(1, 'Hi'), expected: true },
    { name: 'the role-only first chunk', data: chunk(1, ''), expected: false },
    { name: 'a null content chunk', data: chunk(1, null), expected: false },
    { name: 'the usage-only last chunk', data: JSON.stringify({ choices: [], usage: { prompt_tokens: 1 } }), expected: false },
    { name: '[DONE]', data: '[DONE]', expected: false },
  ];
  for (const { name, data, expected } of cases) {
    it(`is ${expected} for ${name}`, () => {
      // Act / Assess
      expect(hasContent(data)).to.equal(expected);
    });
  }
});

describe('bench event-stream frame reader', () => {
  // Frames as Bedrock sends them (its header order), encoded with the SDK's codec.
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const header = (value: string) => ({ type: 'string', value }) as const;
  const frame = (headers: Record<string, string>, payload: unknown) =>
    codec.encode({ headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, header(value)])), body: fromUtf8(JSON.stringify(payload)) });
  const event = (type: string, payload: unknown) => frame({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, payload);
  const exception = (type: string, payload: unknown) => frame({ ':message-type': 'exception', ':exception-type': type, ':content-type': 'application/json' }, payload);
  const delta = event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } });
  const stop = event('messageStop', { stopReason: 'end_turn' });
  const failure = exception('modelStreamErrorException', { message: 'cut' });

  it('returns each frame once its bytes are all in, across body chunks', () => {
    // Prepare: the second frame split inside its prelude.
    const body = Buffer.concat([delta, stop]);
    const cut = delta.length + 2;
    const reader = new FrameReader();

    // Act
    const first = reader.push(body.subarray(0, cut));
    const leftoverAtCut = reader.leftover;
    const rest = reader.push(body.subarray(cut));

    // Assess
    expect(first).to.deep.equal([{ messageType: 'event', type: 'contentBlockDelta', payload: '{"contentBlockIndex":0,"delta":{"text":"Hi"}}' }]);
    expect(leftoverAtCut).to.equal(2);
    expect(rest).to.deep.equal([{ messageType: 'event', type: 'messageStop', payload: '{"stopReason":"end_turn"}' }]);
    expect(reader.leftover).to.equal(0);
  });

  it('names an exception frame by its :exception-type', () => {
    // Act
    const frames = new FrameReader().push(Buffer.from(failure));

    // Assess
    expect(frames).to.deep.equal([{ messageType: 'exception', type: 'modelStreamErrorException', payload: '{"message":"cut"}' }]);
  });

  it('keeps a partial frame as leftover (a body that ends inside a frame)', () => {
    // Prepare
    const reader = new FrameReader();

    // Act
    const frames = reader.push(Buffer.from(stop).subarray(0, stop.length - 1));

    // Assess
    expect(frames).to.deep.equal([]);
    expect(reader.leftover).to.equal(stop.length - 1);
  });

  it('fails loudly on a corrupted frame (the codec checks the CRCs)', () => {
    // Prepare: flip one payload byte, so the message CRC no longer matches.
    const corrupted = Buffer.from(delta);
    const at = corrupted.length - 8;
    corrupted.writeUInt8(corrupted.readUInt8(at) ^ 0xff, at);

    // Act
    const read = () => new FrameReader().push(corrupted);

    // Assess
    expect(read).to.throw();
  });
});

describe('bench profile: bundle lines back to their source module', () => {
  // What esbuild writes when not minifying: a `// path` comment before each module.
  const bundle = ['import x from "y";', '', '// node_modules/openai/client.mjs', 'var a = 1;', 'var b = 2;', '', '// app/core/router.ts', 'function route() {}', '// bench/lib/floorChild.ts', 'serve();'].join('\n');

  it('finds each module start and maps a line to the module above it', () => {
    // Act
    const starts = moduleStarts(bundle);

    // Assess
    expect(starts).to.deep.equal([
      { line: 2, source: 'node_modules/openai/client.mjs' },
      { line: 6, source: 'app/core/router.ts' },
      { line: 8, source: 'bench/lib/floorChild.ts' },
    ]);
    expect([0, 2, 4, 6, 7, 9].map((line) => sourceAt(starts, line))).to.deep.equal([
      undefined,
      'node_modules/openai/client.mjs',
      'node_modules/openai/client.mjs',
      'app/core/router.ts',
      'app/core/router.ts',
      'bench/lib/floorChild.ts',
    ]);
  });

  it('names the package or app/ file of a remapped frame', () => {
    // Act / Assess
    expect(locationOf({ functionName: 'makeRequest', url: '/node_modules/openai/client.mjs', lineNumber: -1 })).to.equal('openai');
    expect(locationOf({ functionName: 'route', url: '/app/core/router.ts', lineNumber: -1 })).to.equal('app/core/router.ts');
  });

  it('finds no modules in a minified bundle', () => {
    // Act / Assess
    expect(moduleStarts('import{a as b}from"./c.mjs";var d=1;// not a marker')).to.deep.equal([]);
  });
});

describe('bench profile summary of an unminified bundle', () => {
  it('charges samples in the bundle to the package or app/ file they came from', () => {
    // Prepare: a bundle with two modules and a profile with 3 samples in the first, 1 in the second.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
    try {
      const bundleFile = path.join(dir, 'gatewayChild.mjs');
      writeFileSync(bundleFile, ['// node_modules/openai/client.mjs', 'function makeRequest() {}', '// app/core/router.ts', 'function route() {}'].join('\n'));
      const url = pathToFileURL(bundleFile).href;
      const profileFile = path.join(dir, 'run.cpuprofile');
      const frame = (functionName: string, lineNumber: number) => ({ functionName, url, lineNumber, scriptId: '1', columnNumber: 0 });
      writeFileSync(
        profileFile,
        JSON.stringify({
          startTime: 0,
          endTime: 4000,
          nodes: [
            { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2] },
            { id: 2, callFrame: frame('route', 3), hitCount: 1, children: [3] },
            { id: 3, callFrame: frame('makeRequest', 1), hitCount: 3 },
          ],
        }),
      );

      // Act
      const summary = summarizeProfile(profileFile);

      // Assess
      expect(summary.selfByLocation.map((entry) => [entry.name, entry.percent])).to.deep.equal([
        ['openai', 75],
        ['app/core/router.ts', 25],
      ]);
      expect(summary.selfByFunction.map((entry) => entry.name)).to.deep.equal(['makeRequest openai', 'route app/core/router.ts']);
      expect(summary.inclusiveByAppFunction.map((entry) => [entry.name, entry.percent])).to.deep.equal([['route app/core/router.ts', 100]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
