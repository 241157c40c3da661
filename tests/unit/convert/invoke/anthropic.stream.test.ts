import { expect } from 'chai';
import { anthropicFamily } from '../../../../app/convert/invoke/anthropic.ts';
import type { InvocationMetrics, InvokeContext } from '../../../../app/convert/invoke/family.ts';
import type { ConverseStreamEvent } from '../../../../app/convert/converse/types.ts';
import {
  blockStop as stop,
  delta,
  encodeStream,
  messageStart,
  messageStop,
  metadata,
  reasoningDelta as reasoning,
  textDelta as text,
  toolInputDelta as toolInput,
  toolStart,
} from './helpers.ts';

const ctx: InvokeContext = {
  modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  upstreamModel: 'gpt-4o',
  requestId: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
};
const MESSAGE_ID = 'msg_bdrk_a1b2c3d4e5f67890abcdef12';

const expectedStart = {
  type: 'message_start',
  message: {
    id: MESSAGE_ID,
    type: 'message',
    role: 'assistant',
    model: 'gpt-4o',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 0, output_tokens: 0 },
  },
};

function encode(events: ConverseStreamEvent[], metrics: InvocationMetrics): unknown[] {
  return encodeStream(anthropicFamily.streamEncoder(ctx), events, metrics);
}

/** A text block as it streams: start, one text_delta per piece, stop. */
function expectedTextBlock(index: number, ...pieces: string[]): unknown[] {
  return [
    { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
    ...pieces.map((text) => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } })),
    { type: 'content_block_stop', index },
  ];
}

/** A tool_use block as it streams: start with empty input, one input_json_delta per piece, stop. */
function expectedToolBlock(index: number, id: string, name: string, ...pieces: string[]): unknown[] {
  return [
    { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name, input: {} } },
    ...pieces.map((partial_json) => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } })),
    { type: 'content_block_stop', index },
  ];
}

/** The two closing chunks: message_delta with the stop reason and usage, message_stop with the metrics. */
function expectedEnd(stopReason: string, usage: { input: number; output: number; cacheRead?: number }, metrics: InvocationMetrics): unknown[] {
  return [
    {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { input_tokens: usage.input, output_tokens: usage.output, cache_creation_input_tokens: 0, cache_read_input_tokens: usage.cacheRead ?? 0 },
    },
    { type: 'message_stop', 'amazon-bedrock-invocationMetrics': metrics },
  ];
}

describe('InvokeModelWithResponseStream anthropic: Converse events -> Messages stream', () => {
  it('encodes a text answer', () => {
    // Prepare
    const events = [messageStart, text(0, 'Hel'), text(0, 'lo!'), stop(0), messageStop('end_turn'), metadata({ inputTokens: 10, outputTokens: 2, totalTokens: 12 })];
    const metrics = { inputTokenCount: 10, outputTokenCount: 2, invocationLatency: 420, firstByteLatency: 120 };
    // Act
    const chunks = encode(events, metrics);
    // Assess
    expect(chunks).to.deep.equal([
      expectedStart,
      ...expectedTextBlock(0, 'Hel', 'lo!'),
      ...expectedEnd('end_turn', { input: 10, output: 2 }, metrics),
    ]);
  });

  it('encodes reasoning followed by text, with a signature and cache metrics', () => {
    // Prepare
    const events = [
      messageStart,
      reasoning(0, 'Think'),
      reasoning(0, 'ing.'),
      delta(0, { reasoningContent: { signature: 'sig==' } }),
      stop(0),
      text(1, 'Answer.'),
      stop(1),
      messageStop('end_turn'),
      metadata({ inputTokens: 8, outputTokens: 30, totalTokens: 1062, cacheReadInputTokens: 1024, cacheWriteInputTokens: 0 }),
    ];
    const metrics = {
      inputTokenCount: 8,
      outputTokenCount: 30,
      invocationLatency: 900,
      firstByteLatency: 300,
      cacheReadInputTokenCount: 1024,
      cacheWriteInputTokenCount: 0,
    };
    // Act
    const chunks = encode(events, metrics);
    // Assess
    expect(chunks).to.deep.equal([
      expectedStart,
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Think' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'ing.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig==' } },
      { type: 'content_block_stop', index: 0 },
      ...expectedTextBlock(1, 'Answer.'),
      ...expectedEnd('end_turn', { input: 8, output: 30, cacheRead: 1024 }, metrics),
    ]);
  });

  it('encodes a tool call after text', () => {
    // Prepare
    const events = [
      messageStart,
      text(0, 'Checking.'),
      stop(0),
      toolStart(1, 'call_1', 'get_weather'),
      toolInput(1, '{"city"'),
      toolInput(1, ':"Paris"}'),
      stop(1),
      messageStop('tool_use'),
      metadata({ inputTokens: 50, outputTokens: 20, totalTokens: 70 }),
    ];
    const metrics = { inputTokenCount: 50, outputTokenCount: 20, invocationLatency: 700, firstByteLatency: 200 };
    // Act
    const chunks = encode(events, metrics);
    // Assess
    expect(chunks).to.deep.equal([
      expectedStart,
      ...expectedTextBlock(0, 'Checking.'),
      ...expectedToolBlock(1, 'call_1', 'get_weather', '{"city"', ':"Paris"}'),
      ...expectedEnd('tool_use', { input: 50, output: 20 }, metrics),
    ]);
  });

  it('encodes parallel tool calls as consecutive tool_use blocks', () => {
    // Prepare
    const events = [
      messageStart,
      toolStart(0, 'call_a', 'get_weather'),
      toolInput(0, '{"city":"Paris"}'),
      stop(0),
      toolStart(1, 'call_b', 'get_time'),
      toolInput(1, '{"tz":"CET"}'),
      stop(1),
      messageStop('tool_use'),
      metadata({ inputTokens: 60, outputTokens: 40, totalTokens: 100 }),
    ];
    const metrics = { inputTokenCount: 60, outputTokenCount: 40, invocationLatency: 800, firstByteLatency: 250 };
    // Act
    const chunks = encode(events, metrics);
    // Assess
    expect(chunks).to.deep.equal([
      expectedStart,
      ...expectedToolBlock(0, 'call_a', 'get_weather', '{"city":"Paris"}'),
      ...expectedToolBlock(1, 'call_b', 'get_time', '{"tz":"CET"}'),
      ...expectedEnd('tool_use', { input: 60, output: 40 }, metrics),
    ]);
  });

  it('maps the stream stop reason like the non-stream one (content_filtered -> refusal)', () => {
    // Prepare
    const encoder = anthropicFamily.streamEncoder(ctx);
    encoder.push(messageStart);
    encoder.push(messageStop('content_filtered'));
    // Act
    const chunks = encoder.push(metadata({ inputTokens: 5, outputTokens: 0, totalTokens: 5 }));
    // Assess
    expect(chunks).to.deep.equal([
      {
        type: 'message_delta',
        delta: { stop_reason: 'refusal', stop_sequence: null },
        usage: { input_tokens: 5, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    ]);
  });

  it('emits nothing for messageStop and for a stop of a block that never started', () => {
    // Prepare
    const encoder = anthropicFamily.streamEncoder(ctx);
    encoder.push(messageStart);
    // Act
    const chunks = [...encoder.push(stop(0)), ...encoder.push(messageStop('end_turn'))];
    // Assess
    expect(chunks).to.deep.equal([]);
  });

  it('still sends message_delta from the metrics when metadata never arrived', () => {
    // Prepare
    const encoder = anthropicFamily.streamEncoder(ctx);
    encoder.push(messageStart);
    encoder.push(messageStop('max_tokens'));
    const metrics = { inputTokenCount: 3, outputTokenCount: 9, invocationLatency: 50, firstByteLatency: 10 };
    // Act
    const chunks = encoder.finish(metrics);
    // Assess
    expect(chunks).to.deep.equal(expectedEnd('max_tokens', { input: 3, output: 9 }, metrics));
  });

  it('keeps separate state per encoder', () => {
    // Prepare
    const first = anthropicFamily.streamEncoder(ctx);
    const second = anthropicFamily.streamEncoder(ctx);
    first.push(text(0, 'a'));
    // Act
    const chunks = second.push(text(0, 'b'));
    // Assess
    expect(chunks).to.deep.equal([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'b' } },
    ]);
  });
});
