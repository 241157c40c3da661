import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { chatToConverse } from '../../../app/convert/converse/response.ts';
import { thrownBedrockError } from '../../helpers/bedrockErrors.ts';

const fixture = (name: string): ChatCompletion =>
  JSON.parse(readFileSync(new URL(`../../fixtures/openai/${name}.json`, import.meta.url), 'utf8')) as ChatCompletion;

type FinishReason = ChatCompletion.Choice['finish_reason'];

/** A completion with one choice; `message` may carry the non-standard fields compatible servers add. */
function completion(message: Record<string, unknown>, finishReason: FinishReason = 'stop'): ChatCompletion {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-test',
    choices: [
      { index: 0, logprobs: null, finish_reason: finishReason, message: { role: 'assistant', content: null, refusal: null, ...message } },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  } as ChatCompletion;
}

const toolCall = (id: string, name: string, args: string) => ({ id, type: 'function', function: { name, arguments: args } });
const convert = (chat: ChatCompletion) => chatToConverse(chat, { latencyMs: 42 });

describe('Chat -> Converse: golden fixtures', () => {
  it('maps a plain text answer with cached prompt tokens', () => {
    // Prepare
    const chat = fixture('chat-text');
    // Act
    const response = chatToConverse(chat, { latencyMs: 812 });
    // Assess
    expect(response).to.deep.equal({
      output: { message: { role: 'assistant', content: [{ text: 'Paris is the capital of France.' }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 296, outputTokens: 9, totalTokens: 1329, cacheReadInputTokens: 1024, cacheWriteInputTokens: 0 },
      metrics: { latencyMs: 812 },
    });
  });

  it('maps parallel tool calls', () => {
    // Prepare
    const chat = fixture('chat-tool-calls');
    // Act
    const response = chatToConverse(chat, { latencyMs: 500 });
    // Assess
    expect(response).to.deep.equal({
      output: {
        message: {
          role: 'assistant',
          content: [
            { toolUse: { toolUseId: 'call_Wz1', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } } },
            { toolUse: { toolUseId: 'call_Wz2', name: 'get_time', input: {} } },
          ],
        },
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 210, outputTokens: 48, totalTokens: 258 },
      metrics: { latencyMs: 500 },
    });
  });

  it('maps reasoning_content from an OpenAI-compatible server, placing it first', () => {
    // Prepare
    const chat = fixture('chat-reasoning-compatible');
    // Act
    const response = chatToConverse(chat, { latencyMs: 3000 });
    // Assess
    expect(response.output.message.content).to.deep.equal([
      { reasoningContent: { reasoningText: { text: 'Compare the tenths: 1 < 9, so 9.11 < 9.9.' } } },
      { text: '9.11 is smaller than 9.9.' },
    ]);
    expect(response.stopReason).to.equal('end_turn');
  });
});

describe('Chat -> Converse: choices', () => {
  it('throws a ModelErrorException when there are no choices', () => {
    // Prepare
    const chat = { ...completion({ content: 'x' }), choices: [] };
    // Act
    const error = thrownBedrockError(() => convert(chat));
    // Assess
    expect(error.exception).to.equal('ModelErrorException');
    expect(error.status).to.equal(424);
    expect(error.message).to.equal('The model returned no choices.');
    expect(error.members).to.deep.equal({ originalStatusCode: 200 });
  });

  it('uses only the first choice', () => {
    // Prepare
    const chat = completion({ content: 'first' });
    const second = { ...chat.choices[0]!, index: 1, message: { ...chat.choices[0]!.message, content: 'second' } };
    chat.choices.push(second);
    // Act
    const response = convert(chat);
    // Assess
    expect(response.output.message.content).to.deep.equal([{ text: 'first' }]);
  });
});

describe('Chat -> Converse: content', () => {
  for (const field of ['reasoning_content', 'reasoning']) {
    it(`maps message.${field} to a leading reasoningContent block`, () => {
      // Prepare
      const chat = completion({ content: 'answer', [field]: 'thinking...' });
      // Act
      const response = convert(chat);
      // Assess
      expect(response.output.message.content).to.deep.equal([{ reasoningContent: { reasoningText: { text: 'thinking...' } } }, { text: 'answer' }]);
    });
  }

  it('prefers reasoning_content when a server sends both reasoning fields', () => {
    // Act
    const response = convert(completion({ content: 'a', reasoning_content: 'rc', reasoning: 'r' }));
    // Assess
    expect(response.output.message.content[0]).to.deep.equal({ reasoningContent: { reasoningText: { text: 'rc' } } });
  });

  it('maps content to a text block', () => {
    // Act
    const response = convert(completion({ content: 'Hello!' }));
    // Assess
    expect(response.output).to.deep.equal({ message: { role: 'assistant', content: [{ text: 'Hello!' }] } });
    expect(response.stopReason).to.equal('end_turn');
  });

  it('maps a bare refusal to a text block with stopReason content_filtered', () => {
    // Act
    const response = convert(completion({ refusal: "I can't help with that." }));
    // Assess
    expect(response.output.message.content).to.deep.equal([{ text: "I can't help with that." }]);
    expect(response.stopReason).to.equal('content_filtered');
  });

  it('keeps both content and refusal, ending the turn normally', () => {
    // Act
    const response = convert(completion({ content: 'Partly:', refusal: 'not the rest' }));
    // Assess
    expect(response.output.message.content).to.deep.equal([{ text: 'Partly:' }, { text: 'not the rest' }]);
    expect(response.stopReason).to.equal('end_turn');
  });

  for (const [label, message] of [
    ['null content', { content: null }],
    ['empty content', { content: '' }],
    ['empty reasoning and tool list', { content: '', reasoning_content: '', tool_calls: [] }],
  ] as const) {
    it(`returns an empty content list for ${label}`, () => {
      // Act
      const response = convert(completion(message));
      // Assess
      expect(response.output.message.content).to.deep.equal([]);
      expect(response.stopReason).to.equal('end_turn');
    });
  }
});

describe('Chat -> Converse: tool calls', () => {
  it('maps function tool calls after the text', () => {
    // Prepare
    const chat = completion({ content: 'Let me check.', tool_calls: [toolCall('call_1', 'weather', '{"city":"Oslo"}')] }, 'tool_calls');
    // Act
    const response = convert(chat);
    // Assess
    expect(response.output.message.content).to.deep.equal([
      { text: 'Let me check.' },
      { toolUse: { toolUseId: 'call_1', name: 'weather', input: { city: 'Oslo' } } },
    ]);
    expect(response.stopReason).to.equal('tool_use');
  });

  it('treats empty arguments as an empty object', () => {
    // Act
    const response = convert(completion({ tool_calls: [toolCall('call_1', 'now', '')] }, 'tool_calls'));
    // Assess
    expect(response.output.message.content).to.deep.equal([{ toolUse: { toolUseId: 'call_1', name: 'now', input: {} } }]);
    expect(response.stopReason).to.equal('tool_use');
  });

  for (const args of ['{"city":', 'not json', '[1,2]', 'null', '"text"', '42']) {
    it(`reports malformed_tool_use with input {} for arguments ${JSON.stringify(args)}`, () => {
      // Prepare
      const chat = completion({ tool_calls: [toolCall('ok', 'f', '{"a":1}'), toolCall('bad', 'f', args)] }, 'tool_calls');
      // Act
      const response = convert(chat);
      // Assess
      expect(response.output.message.content).to.deep.equal([
        { toolUse: { toolUseId: 'ok', name: 'f', input: { a: 1 } } },
        { toolUse: { toolUseId: 'bad', name: 'f', input: {} } },
      ]);
      expect(response.stopReason).to.equal('malformed_tool_use');
    });
  }

  it('keeps max_tokens when truncation broke the arguments', () => {
    // Act
    const response = convert(completion({ tool_calls: [toolCall('c', 'f', '{"a":')] }, 'length'));
    // Assess
    expect(response.stopReason).to.equal('max_tokens');
  });

  it('reports tool_use when a compatible server ends a tool-calling turn with "stop"', () => {
    // Act
    const response = convert(completion({ tool_calls: [toolCall('c', 'f', '{}')] }, 'stop'));
    // Assess
    expect(response.stopReason).to.equal('tool_use');
  });

  it('skips custom (non-function) tool calls, which the gateway never declares', () => {
    // Prepare
    const chat = completion({ content: 'x', tool_calls: [{ id: 'c', type: 'custom', custom: { name: 'g', input: 'raw' } }] });
    // Act
    const response = convert(chat);
    // Assess
    expect(response.output.message.content).to.deep.equal([{ text: 'x' }]);
    expect(response.stopReason).to.equal('end_turn');
  });
});

describe('Chat -> Converse: stop reason, usage, metrics and response fields', () => {
  for (const [finishReason, stopReason] of [
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['content_filter', 'content_filtered'],
    ['tool_calls', 'tool_use'],
  ] as const) {
    it(`maps finish_reason ${finishReason} to ${stopReason}`, () => {
      // Act
      const response = convert(completion({ content: 'x' }, finishReason));
      // Assess
      expect(response.stopReason).to.equal(stopReason);
    });
  }

  it('takes usage from toTokenUsage and latency from the options', () => {
    // Act
    const response = chatToConverse(completion({ content: 'x' }), { latencyMs: 1234 });
    // Assess
    expect(response.usage).to.deep.equal({ inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    expect(response.metrics).to.deep.equal({ latencyMs: 1234 });
  });

  it('reports zero usage when the server sends none', () => {
    // Prepare
    const { usage: _ignored, ...chat } = completion({ content: 'x' });
    // Act
    const response = convert(chat);
    // Assess
    expect(response.usage).to.deep.equal({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  });

  for (const [label, paths, expected] of [
    ['/delta/stop_sequence is asked for', ['/delta/stop_sequence'], { delta: { stop_sequence: null } }],
    ['it is asked for among other paths', ['/stop_reason', '/delta/stop_sequence'], { delta: { stop_sequence: null } }],
    ['only other paths are asked for', ['/stop_reason'], undefined],
    ['no paths are asked for', undefined, undefined],
  ] as const) {
    it(`sets additionalModelResponseFields accordingly when ${label}`, () => {
      // Act
      const response = chatToConverse(completion({ content: 'x' }), { latencyMs: 1, ...(paths && { additionalModelResponseFieldPaths: paths }) });
      // Assess
      expect(response.additionalModelResponseFields).to.deep.equal(expected);
    });
  }
});
