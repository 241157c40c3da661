import { expect } from 'chai';
import { anthropicFamily } from '../../../../app/convert/invoke/anthropic.ts';
import { messageId } from '../../../../app/convert/invoke/anthropic/response.ts';
import type { InvokeContext } from '../../../../app/convert/invoke/family.ts';
import type { ConverseResponseJson, OutputContentBlock, StopReason } from '../../../../app/convert/converse/types.ts';

const ctx: InvokeContext = {
  modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  upstreamModel: 'gpt-4o-2024-08-06',
  requestId: '6f1c2a9e-0b7d-4c55-9a3e-1d2f3a4b5c6d',
};

function converse(overrides: Partial<ConverseResponseJson> = {}): ConverseResponseJson {
  return {
    output: { message: { role: 'assistant', content: [{ text: 'Hello!' }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15 },
    metrics: { latencyMs: 250 },
    ...overrides,
  };
}

describe('InvokeModel anthropic: Converse response -> Messages body', () => {
  it('builds the full message envelope', () => {
    // Prepare
    const response = converse();
    // Act
    const body = anthropicFamily.fromConverse(response, ctx);
    // Assess
    expect(body).to.deep.equal({
      id: 'msg_bdrk_6f1c2a9e0b7d4c559a3e1d2f',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-2024-08-06',
      content: [{ type: 'text', text: 'Hello!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  const stopReasons: [StopReason, string][] = [
    ['end_turn', 'end_turn'],
    ['max_tokens', 'max_tokens'],
    ['stop_sequence', 'stop_sequence'],
    ['tool_use', 'tool_use'],
    ['content_filtered', 'refusal'],
    ['guardrail_intervened', 'refusal'],
    ['malformed_tool_use', 'tool_use'],
    ['malformed_model_output', 'end_turn'],
    ['model_context_window_exceeded', 'model_context_window_exceeded'],
  ];
  for (const [stopReason, expected] of stopReasons) {
    it(`maps stopReason ${stopReason} to ${expected}`, () => {
      // Prepare
      const response = converse({ stopReason });
      // Act
      const body = anthropicFamily.fromConverse(response, ctx) as { stop_reason: string };
      // Assess
      expect(body.stop_reason).to.equal(expected);
    });
  }

  it('maps thinking, text and tool_use blocks in order', () => {
    // Prepare
    const content: OutputContentBlock[] = [
      { reasoningContent: { reasoningText: { text: 'The user wants weather.' } } },
      { text: 'Let me check.' },
      { toolUse: { toolUseId: 'call_abc', name: 'get_weather', input: { city: 'Paris' } } },
      { reasoningContent: { reasoningText: { text: 'signed', signature: 'sig==' } } },
    ];
    // Act
    const body = anthropicFamily.fromConverse(converse({ output: { message: { role: 'assistant', content } }, stopReason: 'tool_use' }), ctx) as {
      content: unknown[];
    };
    // Assess
    expect(body.content).to.deep.equal([
      { type: 'thinking', thinking: 'The user wants weather.', signature: '' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'call_abc', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'thinking', thinking: 'signed', signature: 'sig==' },
    ]);
  });

  it('reports cache reads and writes in usage', () => {
    // Prepare
    const usage = { inputTokens: 20, outputTokens: 7, totalTokens: 1051, cacheReadInputTokens: 1024, cacheWriteInputTokens: 0 };
    // Act
    const body = anthropicFamily.fromConverse(converse({ usage }), ctx) as { usage: unknown };
    // Assess
    expect(body.usage).to.deep.equal({ input_tokens: 20, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 1024 });
  });
});

describe('InvokeModel anthropic: message id', () => {
  const cases: [string, string][] = [
    ['6f1c2a9e-0b7d-4c55-9a3e-1d2f3a4b5c6d', 'msg_bdrk_6f1c2a9e0b7d4c559a3e1d2f'],
    ['abc', 'msg_bdrk_abc000000000000000000000'],
    ['', 'msg_bdrk_000000000000000000000000'],
  ];
  for (const [requestId, expected] of cases) {
    it(`derives ${expected} from "${requestId}"`, () => {
      // Prepare / Act
      const id = messageId(requestId);
      // Assess
      expect(id).to.equal(expected);
      expect(id).to.match(/^msg_bdrk_[A-Za-z0-9]{24}$/);
    });
  }
});
