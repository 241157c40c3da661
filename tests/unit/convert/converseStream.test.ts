import { expect } from 'chai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { ConverseStreamTranslator } from '../../../app/convert/converse/stream.ts';
import type { ConverseStreamTranslatorOptions } from '../../../app/convert/converse/stream.ts';
import type { ConverseStreamEvent, StopReason, TokenUsage } from '../../../app/convert/converse/types.ts';
import {
  blockStop,
  messageStart as sharedMessageStart,
  messageStop,
  metadata as sharedMetadata,
  reasoningDelta,
  textDelta,
  toolInputDelta,
  toolStart,
} from '../../helpers/converseEvents.ts';
import { readSseFixture, sseFixtureNames } from '../../helpers/sse.ts';
import type { SseStream } from '../../helpers/sse.ts';
import { chatChunk } from '../../helpers/chunks.ts';

const LATENCY_MS = 321;

// Expected-event builders (shared), so each table row reads like the wire.
const messageStart = (): ConverseStreamEvent => sharedMessageStart;
const text = textDelta;
const reasoning = reasoningDelta;
const toolInput = toolInputDelta;
/** A whole toolUse block: its start, one delta per input fragment, its stop. */
const toolBlock = (i: number, toolUseId: string, name: string, ...inputs: string[]): ConverseStreamEvent[] => [
  toolStart(i, toolUseId, name),
  ...inputs.map((input) => toolInput(i, input)),
  blockStop(i),
];
const metadata = (usage: TokenUsage): ConverseStreamEvent => sharedMetadata(usage, LATENCY_MS);
const tokens = (inputTokens: number, outputTokens: number): TokenUsage => ({ inputTokens, outputTokens, totalTokens: inputTokens + outputTokens });

/** What the handler does: push every chunk, then finish() only when the upstream completed. */
function translate(stream: SseStream, options?: ConverseStreamTranslatorOptions): { events: ConverseStreamEvent[]; translator: ConverseStreamTranslator } {
  const translator = new ConverseStreamTranslator(options);
  const events = stream.chunks.flatMap((chunk) => translator.push(chunk));
  if (translator.completed) events.push(...translator.finish(LATENCY_MS));
  return { events, translator };
}

const chunk = chatChunk;

function run(chunks: ChatCompletionChunk[], options?: ConverseStreamTranslatorOptions): ConverseStreamEvent[] {
  return translate({ chunks, done: true }, options).events;
}

const toolCall = (fields: Record<string, unknown>): Record<string, unknown> => ({ tool_calls: [fields] });

describe('Converse: stream translation (fixtures)', () => {
  const cases: { fixture: string; expected: ConverseStreamEvent[] }[] = [
    {
      fixture: 'text-only',
      expected: [
        messageStart(),
        text(0, 'Hello'),
        text(0, '!'),
        text(0, ' How can'),
        text(0, ' I help?'),
        blockStop(0),
        messageStop('end_turn'),
        metadata(tokens(19, 10)),
      ],
    },
    {
      fixture: 'reasoning-then-text',
      expected: [
        messageStart(),
        reasoning(0, 'The user'),
        reasoning(0, ' greets me.'),
        blockStop(0),
        text(1, 'Hi'),
        text(1, ' there.'),
        blockStop(1),
        messageStop('end_turn'),
        metadata(tokens(12, 9)),
      ],
    },
    {
      fixture: 'reasoning-field-then-text',
      expected: [
        messageStart(),
        reasoning(0, 'Short'),
        reasoning(0, ' thought.'),
        blockStop(0),
        text(1, 'Answer.'),
        blockStop(1),
        messageStop('end_turn'),
        metadata(tokens(8, 6)),
      ],
    },
    {
      fixture: 'tool-call',
      expected: [
        messageStart(),
        ...toolBlock(0, 'call_Qx7yZ1aB2cD3eF4gH5iJ6kL7', 'get_weather', '{"', 'city', '":"', 'Paris', '"}'),
        messageStop('tool_use'),
        metadata(tokens(81, 15)),
      ],
    },
    {
      fixture: 'parallel-tool-calls',
      expected: [
        messageStart(),
        ...toolBlock(0, 'call_aaaaaaaaaaaaaaaaaaaaaaaa', 'get_weather', '{"city": "Paris"}'),
        ...toolBlock(1, 'call_bbbbbbbbbbbbbbbbbbbbbbbb', 'get_time', '{"tz": ', '"Europe/Paris"}'),
        messageStop('tool_use'),
        metadata(tokens(96, 52)),
      ],
    },
    {
      fixture: 'text-then-tool-call',
      expected: [
        messageStart(),
        text(0, 'Let me'),
        text(0, ' check.'),
        blockStop(0),
        ...toolBlock(1, 'call_cccccccccccccccccccccccc', 'search', '{"q":"bedrock"}'),
        messageStop('tool_use'),
        metadata(tokens(70, 20)),
      ],
    },
    {
      fixture: 'length',
      expected: [messageStart(), text(0, 'Once upon'), text(0, ' a time'), blockStop(0), messageStop('max_tokens'), metadata(tokens(10, 4))],
    },
    {
      fixture: 'content-filter',
      expected: [messageStart(), text(0, 'I can'), blockStop(0), messageStop('content_filtered'), metadata(tokens(30, 2))],
    },
    {
      fixture: 'empty-deltas',
      expected: [messageStart(), text(0, 'Ok'), blockStop(0), messageStop('end_turn'), metadata(tokens(5, 1))],
    },
    {
      fixture: 'usage-on-finish-chunk',
      expected: [messageStart(), text(0, 'Done.'), blockStop(0), messageStop('end_turn'), metadata(tokens(7, 2))],
    },
    {
      fixture: 'cached-tokens',
      expected: [
        messageStart(),
        text(0, 'Cached'),
        text(0, ' answer.'),
        blockStop(0),
        messageStop('end_turn'),
        metadata({ inputTokens: 176, outputTokens: 12, totalTokens: 1212, cacheReadInputTokens: 1024, cacheWriteInputTokens: 0 }),
      ],
    },
    {
      fixture: 'no-usage',
      expected: [messageStart(), text(0, 'No usage'), blockStop(0), messageStop('end_turn'), metadata(tokens(0, 0))],
    },
    {
      // No finish_reason: the translator must not close the stream on its own.
      fixture: 'cut',
      expected: [messageStart(), text(0, 'Half a'), text(0, ' sent')],
    },
  ];

  for (const { fixture, expected } of cases) {
    it(`emits the exact event sequence for ${fixture}.sse`, () => {
      // Prepare
      const stream = readSseFixture(fixture);

      // Act
      const { events } = translate(stream);

      // Assess
      expect(events).to.deep.equal(expected);
    });
  }

  it('has a table row for every fixture file', () => {
    // Prepare
    const tested = cases.map((c) => c.fixture).sort();

    // Act
    const present = sseFixtureNames();

    // Assess
    expect(present).to.deep.equal(tested);
  });

  it('marks a stream cut before finish_reason as not completed', () => {
    // Prepare
    const stream = readSseFixture('cut');

    // Act
    const { translator } = translate(stream);

    // Assess
    expect(stream.done).to.equal(false);
    expect(translator.completed).to.equal(false);
  });

  it('marks a stream with finish_reason as completed', () => {
    // Prepare
    const stream = readSseFixture('text-only');

    // Act
    const { translator } = translate(stream);

    // Assess
    expect(translator.completed).to.equal(true);
  });

  it('emits nothing for the usage-only final chunk (choices: []) but remembers its usage', () => {
    // Prepare
    const { chunks } = readSseFixture('cached-tokens');
    const last = chunks.at(-1)!;
    const translator = new ConverseStreamTranslator();
    for (const c of chunks.slice(0, -1)) translator.push(c);
    const before = translator.usage;

    // Act
    const events = translator.push(last);

    // Assess
    expect(last.choices).to.deep.equal([]);
    expect(events).to.deep.equal([]);
    expect(before).to.deep.equal(tokens(0, 0));
    expect(translator.usage).to.deep.equal({ inputTokens: 176, outputTokens: 12, totalTokens: 1212, cacheReadInputTokens: 1024, cacheWriteInputTokens: 0 });
  });
});

describe('Converse: stream translation invariants (every fixture)', () => {
  for (const fixture of sseFixtureNames()) {
    it(`keeps blocks and message framing well-formed for ${fixture}.sse`, () => {
      // Prepare
      const stream = readSseFixture(fixture);
      const translator = new ConverseStreamTranslator();

      // Act: finish() unconditionally, so even a cut stream's closing events are checked.
      const events = [...stream.chunks.flatMap((c) => translator.push(c)), ...translator.finish(LATENCY_MS)];

      // Assess
      const types = events.map((e) => e.type);
      expect(types[0]).to.equal('messageStart');
      expect(types.filter((t) => t === 'messageStart')).to.have.length(1);
      expect(types.filter((t) => t === 'messageStop')).to.have.length(1);
      expect(types.filter((t) => t === 'metadata')).to.have.length(1);
      expect(types.at(-1)).to.equal('metadata');
      expect(types.indexOf('messageStop')).to.equal(types.length - 2);

      const stopped = new Set<number>();
      const seen: number[] = [];
      for (const event of events) {
        if (event.type !== 'contentBlockStart' && event.type !== 'contentBlockDelta' && event.type !== 'contentBlockStop') continue;
        const index = event.payload.contentBlockIndex;
        expect(Number.isInteger(index) && index >= 0, `index ${index}`).to.equal(true);
        expect(stopped.has(index), `event for block ${index} after its stop`).to.equal(false);
        if (!seen.includes(index)) {
          // Indexes are handed out 0, 1, 2, ... in order of first appearance.
          expect(index).to.equal(seen.length);
          seen.push(index);
        }
        if (event.type === 'contentBlockStop') stopped.add(index);
      }
      expect([...stopped].sort((a, b) => a - b)).to.deep.equal(seen);
    });
  }
});

describe('Converse: stream translation edge cases', () => {
  it('synthesizes a Bedrock-style toolUseId when the first fragment has none', () => {
    // Prepare
    const chunks = [
      chunk(toolCall({ index: 0, type: 'function', function: { name: 'f', arguments: '{}' } })),
      chunk(toolCall({ index: 1, type: 'function', function: { name: 'g', arguments: '' } })),
      chunk({}, 'tool_calls'),
    ];

    // Act
    const starts = run(chunks).filter((e) => e.type === 'contentBlockStart');

    // Assess
    const ids = starts.map((e) => (e.type === 'contentBlockStart' ? e.payload.start.toolUse.toolUseId : ''));
    expect(ids).to.have.length(2);
    for (const id of ids) expect(id).to.match(/^tooluse_[A-Za-z0-9_-]{22}$/);
    expect(ids[0]).to.not.equal(ids[1]);
  });

  // Tool-call fragment routing: each row's chunks end with finish_reason tool_calls and no usage.
  const routingCases: { name: string; calls: Record<string, unknown>[]; blocks: ConverseStreamEvent[] }[] = [
    {
      name: 'treats an id repeated on every fragment as the same tool call',
      calls: [
        { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a"' } },
        { index: 0, id: 'call_1', type: 'function', function: { arguments: ':1}' } },
      ],
      blocks: toolBlock(0, 'call_1', 'f', '{"a"', ':1}'),
    },
    {
      // Some compatible servers number every parallel call 0.
      name: 'starts a new block when a new id arrives at an already used tool index',
      calls: [
        { index: 0, id: 'call_1', function: { name: 'f', arguments: '{}' } },
        { index: 0, id: 'call_2', function: { name: 'g', arguments: '{}' } },
      ],
      blocks: [...toolBlock(0, 'call_1', 'f', '{}'), ...toolBlock(1, 'call_2', 'g', '{}')],
    },
    {
      name: 'sends a fragment without an index to the current tool call',
      calls: [{ index: 3, id: 'call_1', function: { name: 'f', arguments: '' } }, { function: { arguments: '{}' } }],
      blocks: toolBlock(0, 'call_1', 'f', '{}'),
    },
    {
      // No block is reopened or stopped twice.
      name: 'routes a late fragment for an earlier tool call to that call’s block index',
      calls: [
        { index: 0, id: 'call_1', function: { name: 'f', arguments: '{"a":' } },
        { index: 1, id: 'call_2', function: { name: 'g', arguments: '{}' } },
        { index: 0, function: { arguments: '1}' } },
      ],
      blocks: [toolStart(0, 'call_1', 'f'), toolInput(0, '{"a":'), blockStop(0), toolStart(1, 'call_2', 'g'), toolInput(1, '{}'), toolInput(0, '1}'), blockStop(1)],
    },
    {
      name: 'does not emit empty argument fragments',
      calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: '' } }, { index: 0, function: { arguments: '' } }, { index: 0, function: {} }],
      blocks: toolBlock(0, 'call_1', 'f'),
    },
  ];

  for (const { name, calls, blocks } of routingCases) {
    it(name, () => {
      // Prepare
      const chunks = [...calls.map((call) => chunk(toolCall(call))), chunk({}, 'tool_calls')];

      // Act
      const events = run(chunks);

      // Assess
      expect(events).to.deep.equal([messageStart(), ...blocks, messageStop('tool_use'), metadata(tokens(0, 0))]);
    });
  }

  it('opens a reasoning block then a text block when both arrive in one delta', () => {
    // Prepare
    const translator = new ConverseStreamTranslator();

    // Act
    const events = translator.push(chunk({ reasoning_content: 'think', content: 'say' }));

    // Assess
    expect(events).to.deep.equal([messageStart(), reasoning(0, 'think'), blockStop(0), text(1, 'say')]);
  });

  // Block switching: each row's deltas end with finish_reason "stop"; the events up to messageStop are checked.
  const blockCases: { name: string; deltas: Record<string, unknown>[]; events: ConverseStreamEvent[] }[] = [
    {
      name: 'opens a new block each time the stream switches between text and reasoning',
      deltas: [{ content: 'a' }, { reasoning: 'b' }, { content: 'c' }],
      events: [text(0, 'a'), blockStop(0), reasoning(1, 'b'), blockStop(1), text(2, 'c'), blockStop(2), messageStop('end_turn')],
    },
    {
      name: 'shows a bare refusal as text and stops with content_filtered, as the response conversion does',
      deltas: [{ role: 'assistant', content: null, refusal: 'I can’t help with that.' }],
      events: [text(0, 'I can’t help with that.'), blockStop(0), messageStop('content_filtered')],
    },
    {
      name: 'keeps both content and refusal of one delta, the refusal in a text block of its own',
      deltas: [{ content: 'Partly:', refusal: 'not the rest' }],
      events: [text(0, 'Partly:'), blockStop(0), text(1, 'not the rest'), blockStop(1), messageStop('end_turn')],
    },
    {
      name: 'continues the refusal block across deltas and opens a new block when answer text follows',
      deltas: [{ refusal: 'I can’t' }, { refusal: ' do that.' }, { content: 'But here:' }],
      events: [text(0, 'I can’t'), text(0, ' do that.'), blockStop(0), text(1, 'But here:'), blockStop(1), messageStop('end_turn')],
    },
  ];

  for (const { name, deltas, events: expected } of blockCases) {
    it(name, () => {
      // Prepare
      const chunks = [...deltas.map((delta) => chunk(delta)), chunk({}, 'stop')];

      // Act
      const events = run(chunks);

      // Assess
      expect(events.slice(0, -1)).to.deep.equal([messageStart(), ...expected]);
    });
  }

  // Stop reasons that depend on the tool calls, not on finish_reason alone (the shared decideStopReason).
  const toolStopCases: { name: string; calls: Record<string, unknown>[]; finishReason: string | null; stopReason: StopReason }[] = [
    { name: 'tool_use for a tool call ended with finish_reason "stop"', calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{}' } }], finishReason: 'stop', stopReason: 'tool_use' },
    { name: 'tool_use for a tool call when finish() comes without a finish_reason', calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{}' } }], finishReason: null, stopReason: 'tool_use' },
    { name: 'malformed_tool_use for arguments that are not a JSON object', calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '[1,' } }, { index: 0, function: { arguments: '2]' } }], finishReason: 'tool_calls', stopReason: 'malformed_tool_use' },
    { name: 'malformed_tool_use for broken arguments of an earlier call at a reused index', calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{"a":' } }, { index: 0, id: 'c2', function: { name: 'g', arguments: '{}' } }], finishReason: 'stop', stopReason: 'malformed_tool_use' },
    { name: 'max_tokens for arguments cut by the length limit', calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{"a":' } }], finishReason: 'length', stopReason: 'max_tokens' },
    { name: 'tool_use for a call with no arguments at all', calls: [{ index: 0, id: 'c1', function: { name: 'f' } }], finishReason: 'stop', stopReason: 'tool_use' },
  ];
  for (const { name, calls, finishReason, stopReason } of toolStopCases) {
    it(`stops with ${name}`, () => {
      // Prepare
      const translator = new ConverseStreamTranslator();
      const chunks = [...calls.map((call) => chunk(toolCall(call))), ...(finishReason === null ? [] : [chunk({}, finishReason)])];

      // Act
      const events = [...chunks.flatMap((c) => translator.push(c)), ...translator.finish(LATENCY_MS)];

      // Assess
      expect(events.filter((e) => e.type === 'messageStop')).to.deep.equal([messageStop(stopReason)]);
    });
  }

  it('emits messageStart for an empty first delta, but nothing for a chunk with neither choices nor usage', () => {
    // Prepare: Azure opens with a `choices: []` chunk carrying only prompt_filter_results.
    const translator = new ConverseStreamTranslator();

    // Act
    const filterOnly = translator.push(chunk(undefined, null, { prompt_filter_results: [] }));
    const roleOnly = translator.push(chunk({ role: 'assistant', content: '' }));
    const again = translator.push(chunk({ content: null }));

    // Assess
    expect(filterOnly).to.deep.equal([]);
    expect(roleOnly).to.deep.equal([messageStart()]);
    expect(again).to.deep.equal([]);
  });

  it('echoes delta.stop_sequence when the caller asked for /delta/stop_sequence', () => {
    // Prepare
    const chunks = [chunk({ content: 'x' }), chunk({}, 'stop')];

    // Act
    const events = run(chunks, { additionalModelResponseFieldPaths: ['/stop_sequence', '/delta/stop_sequence'] });

    // Assess
    expect(events.find((e) => e.type === 'messageStop')).to.deep.equal({
      type: 'messageStop',
      payload: { stopReason: 'end_turn', additionalModelResponseFields: { delta: { stop_sequence: null } } },
    });
  });

  it('leaves additionalModelResponseFields out for other paths', () => {
    // Prepare
    const chunks = [chunk({ content: 'x' }), chunk({}, 'stop')];

    // Act
    const events = run(chunks, { additionalModelResponseFieldPaths: ['/stop_sequence'] });

    // Assess
    expect(events.find((e) => e.type === 'messageStop')).to.deep.equal(messageStop('end_turn'));
  });

  it('sends messageStop once and ignores content after finish_reason', () => {
    // Prepare
    const chunks = [chunk({ content: 'x' }, 'length'), chunk({ content: 'late' }, 'stop'), chunk(toolCall({ index: 0, id: 'c', function: { name: 'f' } }))];

    // Act
    const events = run(chunks);

    // Assess
    expect(events).to.deep.equal([messageStart(), text(0, 'x'), blockStop(0), messageStop('max_tokens'), metadata(tokens(0, 0))]);
  });

  it('uses usage that arrives before finish_reason', () => {
    // Prepare
    const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };
    const chunks = [chunk({ content: 'x' }), chunk(undefined, null, { usage }), chunk({}, 'stop')];

    // Act
    const events = run(chunks);

    // Assess
    expect(events.at(-1)).to.deep.equal(metadata(tokens(3, 4)));
  });

  it('ignores usage: null on ordinary chunks', () => {
    // Prepare
    const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };
    const chunks = [chunk(undefined, null, { usage }), chunk({ content: 'x' }, null, { usage: null }), chunk({}, 'stop', { usage: null })];

    // Act
    const events = run(chunks);

    // Assess
    expect(events.at(-1)).to.deep.equal(metadata(tokens(3, 4)));
  });

  it('closes an open block with end_turn when finish() comes without a finish_reason', () => {
    // Prepare
    const translator = new ConverseStreamTranslator();
    translator.push(chunk({ content: 'x' }));

    // Act
    const events = translator.finish(LATENCY_MS);

    // Assess
    expect(translator.completed).to.equal(false);
    expect(events).to.deep.equal([blockStop(0), messageStop('end_turn'), metadata(tokens(0, 0))]);
  });

  it('produces a complete, empty message when finish() is called before any chunk', () => {
    // Prepare
    const translator = new ConverseStreamTranslator();

    // Act
    const events = translator.finish(LATENCY_MS);

    // Assess
    expect(events).to.deep.equal([messageStart(), messageStop('end_turn'), metadata(tokens(0, 0))]);
  });

  it('returns nothing from a second finish()', () => {
    // Prepare
    const translator = new ConverseStreamTranslator();
    translator.push(chunk({ content: 'x' }, 'stop'));
    translator.finish(LATENCY_MS);

    // Act
    const events = translator.finish(LATENCY_MS);

    // Assess
    expect(events).to.deep.equal([]);
  });
});
