import { expect } from 'chai';
import type { InvocationMetrics, InvokeContext } from '../../../../app/convert/invoke/family.ts';
import { mistralChatFamily } from '../../../../app/convert/invoke/mistral/chat.ts';
import { mistralTextFamily, parseInstructPrompt } from '../../../../app/convert/invoke/mistral/text.ts';
import type { ConverseResponseJson, ConverseStreamEvent } from '../../../../app/convert/converse/types.ts';
import type { InvalidBodyCase } from './helpers.ts';
import {
  answerEvents,
  blockStop,
  caught,
  encodeStream,
  itRejectsEachNamingTheField,
  messageStart,
  messageStop,
  metadata,
  textDelta,
  toolInputDelta,
  toolStart,
} from './helpers.ts';

const ctx: InvokeContext = { modelId: 'mistral.mistral-large-2407-v1:0', upstreamModel: 'gpt-4o', requestId: 'req-1' };
const metrics: InvocationMetrics = { inputTokenCount: 30, outputTokenCount: 9, invocationLatency: 500, firstByteLatency: 120 };
const METRICS_KEY = 'amazon-bedrock-invocationMetrics';

const usage = { inputTokens: 30, outputTokens: 9, totalTokens: 39 };

describe('InvokeModel family: Mistral (text)', () => {
  describe('request', () => {
    it('parses [INST] turns into user and assistant messages and maps the parameters, dropping top_k', () => {
      // Prepare
      const body = {
        prompt: '<s>[INST] What is your favourite condiment? [/INST] Lemon juice.</s> [INST] Do you have mayonnaise recipes? [/INST]',
        max_tokens: 200,
        stop: ['\n\n', ''],
        temperature: 0.7,
        top_p: 0.8,
        top_k: 50,
      };

      // Act
      const request = mistralTextFamily.toConverse(body);

      // Assess
      expect(request).to.deep.equal({
        messages: [
          { role: 'user', content: [{ text: 'What is your favourite condiment?' }] },
          { role: 'assistant', content: [{ text: 'Lemon juice.' }] },
          { role: 'user', content: [{ text: 'Do you have mayonnaise recipes?' }] },
        ],
        inferenceConfig: { maxTokens: 200, temperature: 0.7, topP: 0.8, stopSequences: ['\n\n'] },
      });
    });

    it('sends a prompt without [INST] as one user message', () => {
      // Prepare
      const body = { prompt: 'Complete: roses are red,' };

      // Act
      const request = mistralTextFamily.toConverse(body);

      // Assess
      expect(request).to.deep.equal({ messages: [{ role: 'user', content: [{ text: 'Complete: roses are red,' }] }] });
    });

    it('keeps text after the last [/INST] as an assistant prefill', () => {
      // Prepare / Act
      const turns = parseInstructPrompt('[INST] Write JSON [/INST] {"a":');

      // Assess
      expect(turns).to.deep.equal([{ role: 'user', text: 'Write JSON' }, { role: 'assistant', text: '{"a":' }]);
    });

    it('names the offending field when the body is invalid', () => {
      // Prepare / Act
      const error = caught(() => mistralTextFamily.toConverse({ prompt: 'x', stop: 'END' }));

      // Assess
      expect(error.exception).to.equal('ValidationException');
      expect(error.message).to.contain('stop');
    });
  });

  describe('response', () => {
    it('maps text and max_tokens to outputs[0] with stop_reason length', () => {
      // Prepare
      const response: ConverseResponseJson = { output: { message: { role: 'assistant', content: [{ text: 'Sure, ' }, { text: 'here.' }] } }, stopReason: 'max_tokens', usage, metrics: { latencyMs: 1 } };

      // Act
      const body = mistralTextFamily.fromConverse(response, ctx);

      // Assess
      expect(body).to.deep.equal({ outputs: [{ text: 'Sure, here.', stop_reason: 'length' }] });
    });
  });

  describe('stream', () => {
    it('emits one outputs chunk per text delta and the stop reason with metrics last', () => {
      // Prepare
      const encoder = mistralTextFamily.streamEncoder(ctx);
      const events = answerEvents(['Hi', '!'], 'end_turn', usage, 500);

      // Act
      const chunks = encodeStream(encoder, events, metrics);

      // Assess
      expect(chunks).to.deep.equal([
        { outputs: [{ text: 'Hi', stop_reason: null }] },
        { outputs: [{ text: '!', stop_reason: null }] },
        { outputs: [{ text: '', stop_reason: 'stop' }], [METRICS_KEY]: metrics },
      ]);
    });
  });
});

describe('InvokeModel family: Mistral (chat)', () => {
  describe('request', () => {
    it('maps OpenAI-style messages, tools and tool_choice to Converse', () => {
      // Prepare
      const body = {
        messages: [
          { role: 'system', content: 'You help with weather.' },
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: '', tool_calls: [{ id: 'abc123def', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'abc123def', content: '{"temp":21}' },
          { role: 'user', content: [{ type: 'text', text: 'And this?' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } }] },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
        tool_choice: 'any',
        max_tokens: 512,
        temperature: 0.2,
        top_p: 1,
      };

      // Act
      const request = mistralChatFamily.toConverse(body);

      // Assess
      expect(request).to.deep.equal({
        system: [{ text: 'You help with weather.' }],
        messages: [
          { role: 'user', content: [{ text: 'Weather in Paris?' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 'abc123def', name: 'get_weather', input: { city: 'Paris' } } }] },
          {
            role: 'user',
            content: [
              { toolResult: { toolUseId: 'abc123def', content: [{ text: '{"temp":21}' }] } },
              { text: 'And this?' },
              { image: { format: 'jpeg', source: { bytes: '/9j/4AAQ' } } },
            ],
          },
        ],
        inferenceConfig: { maxTokens: 512, temperature: 0.2, topP: 1 },
        toolConfig: {
          tools: [{ toolSpec: { name: 'get_weather', description: 'Weather by city', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } }],
          toolChoice: { any: {} },
        },
      });
    });

    const choices: { choice: unknown; expected: unknown }[] = [
      { choice: 'auto', expected: { auto: {} } },
      { choice: 'required', expected: { any: {} } },
      { choice: { type: 'function', function: { name: 'f' } }, expected: { tool: { name: 'f' } } },
    ];
    for (const { choice, expected } of choices) {
      it(`maps tool_choice ${JSON.stringify(choice)} to ${JSON.stringify(expected)}`, () => {
        // Prepare
        const body = { messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: choice };

        // Act
        const request = mistralChatFamily.toConverse(body);

        // Assess
        expect(request.toolConfig?.toolChoice).to.deep.equal(expected);
      });
    }

    it('sends no tools when tool_choice is "none"', () => {
      // Prepare
      const body = { messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'none' };

      // Act
      const request = mistralChatFamily.toConverse(body);

      // Assess
      expect(request.toolConfig).to.equal(undefined);
    });

    const invalid: InvalidBodyCase[] = [
      { name: 'a tool message without tool_call_id', body: { messages: [{ role: 'tool', content: 'x' }] }, field: 'messages[0].tool_call_id' },
      { name: 'tool call arguments that are not JSON', body: { messages: [{ role: 'assistant', tool_calls: [{ id: 'a', function: { name: 'f', arguments: '{nope' } }] }] }, field: 'messages[0].tool_calls[0].function.arguments' },
      { name: 'an image URL that is not a data URL', body: { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: 'https://example.com/a.png' }] }] }, field: 'messages[0].content[0].image_url' },
      { name: 'an unknown role', body: { messages: [{ role: 'robot', content: 'x' }] }, field: 'messages[0].role' },
    ];
    itRejectsEachNamingTheField(invalid, (body) => mistralChatFamily.toConverse(body));
  });

  describe('response', () => {
    it('maps text and tool uses to choices[0] with JSON-string arguments', () => {
      // Prepare
      const response: ConverseResponseJson = {
        output: { message: { role: 'assistant', content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { city: 'Paris' } } }] } },
        stopReason: 'tool_use',
        usage,
        metrics: { latencyMs: 1 },
      };

      // Act
      const body = mistralChatFamily.fromConverse(response, ctx);

      // Assess
      expect(body).to.deep.equal({
        choices: [{
          index: 0,
          message: { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          stop_reason: 'tool_calls',
        }],
      });
    });

    it('leaves tool_calls out of a text-only answer', () => {
      // Prepare
      const response: ConverseResponseJson = { output: { message: { role: 'assistant', content: [{ text: 'Hi.' }] } }, stopReason: 'end_turn', usage, metrics: { latencyMs: 1 } };

      // Act
      const body = mistralChatFamily.fromConverse(response, ctx);

      // Assess
      expect(body).to.deep.equal({ choices: [{ index: 0, message: { role: 'assistant', content: 'Hi.' }, stop_reason: 'stop' }] });
    });
  });

  describe('stream', () => {
    it('streams text per delta, a tool call whole when its block stops, and the stop reason with metrics last', () => {
      // Prepare
      const encoder = mistralChatFamily.streamEncoder(ctx);
      const events: ConverseStreamEvent[] = [
        messageStart,
        textDelta(0, 'Let me check.'),
        blockStop(0),
        toolStart(1, 'call_1', 'get_weather'),
        toolInputDelta(1, '{"city":'),
        toolInputDelta(1, '"Paris"}'),
        blockStop(1),
        messageStop('tool_use'),
        metadata(usage, 500),
      ];

      // Act
      const perEvent = events.map((event) => encoder.push(event));
      const trailing = encoder.finish(metrics);

      // Assess
      expect(perEvent).to.deep.equal([
        [],
        [{ choices: [{ index: 0, message: { role: 'assistant', content: 'Let me check.' }, stop_reason: null }] }],
        [],
        [],
        [],
        [],
        [{
          choices: [{
            index: 0,
            message: { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
            stop_reason: null,
          }],
        }],
        [],
        [],
      ]);
      expect(trailing).to.deep.equal([
        { choices: [{ index: 0, message: { role: 'assistant', content: '' }, stop_reason: 'tool_calls' }], [METRICS_KEY]: metrics },
      ]);
    });
  });
});
