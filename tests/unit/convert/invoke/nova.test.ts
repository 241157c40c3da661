import { expect } from 'chai';
import type { InvocationMetrics, InvokeContext } from '../../../../app/convert/invoke/family.ts';
import { novaFamily } from '../../../../app/convert/invoke/nova.ts';
import type { ConverseResponseJson, ConverseStreamEvent } from '../../../../app/convert/converse/types.ts';
import { blockStop, caught, delta, messageStart, messageStop, metadata, toolStart } from './helpers.ts';

const ctx: InvokeContext = { modelId: 'amazon.nova-lite-v1:0', upstreamModel: 'gpt-4o-mini', requestId: 'req-1' };
const metrics: InvocationMetrics = { inputTokenCount: 12, outputTokenCount: 5, invocationLatency: 300, firstByteLatency: 90 };

describe('InvokeModel family: Amazon Nova', () => {
  describe('request', () => {
    it('maps a Nova 1 body (snake_case inferenceConfig) to Converse, dropping top_k', () => {
      // Prepare
      const body = {
        schemaVersion: 'messages-v1',
        system: [{ text: 'Be brief.' }],
        messages: [
          { role: 'user', content: [{ text: 'Describe this' }, { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } }] },
        ],
        inferenceConfig: { max_new_tokens: 300, temperature: 0.3, top_p: 0.9, top_k: 20, stopSequences: ['END'] },
      };

      // Act
      const request = novaFamily.toConverse(body);

      // Assess
      expect(request).to.deep.equal({
        messages: body.messages,
        system: [{ text: 'Be brief.' }],
        inferenceConfig: { maxTokens: 300, temperature: 0.3, topP: 0.9, stopSequences: ['END'] },
      });
    });

    it('accepts Nova 2 camelCase inferenceConfig, toolConfig and reasoningConfig', () => {
      // Prepare
      const toolConfig = {
        tools: [{ toolSpec: { name: 'get_weather', description: 'Weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } }],
        toolChoice: { auto: {} },
      };
      const body = {
        messages: [
          { role: 'user', content: [{ text: 'Weather in Paris?' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Paris' } } }] },
          { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ json: { temp: 21 } }], status: 'success' } }] },
        ],
        inferenceConfig: { maxTokens: 100, topP: 0.5 },
        toolConfig,
        reasoningConfig: { type: 'enabled', maxReasoningEffort: 'low' },
      };

      // Act
      const request = novaFamily.toConverse(body);

      // Assess
      expect(request.inferenceConfig).to.deep.equal({ maxTokens: 100, topP: 0.5 });
      expect(request.toolConfig).to.deep.equal(toolConfig);
      expect(request.messages).to.deep.equal(body.messages);
      expect(request.additionalModelRequestFields).to.deep.equal({ reasoningConfig: { type: 'enabled', maxReasoningEffort: 'low' } });
    });

    it('names the offending field when the body is invalid', () => {
      // Prepare
      const body = { schemaVersion: 'messages-v1', messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { max_new_tokens: 'many' } };

      // Act
      const error = caught(() => novaFamily.toConverse(body));

      // Assess
      expect(error.exception).to.equal('ValidationException');
      expect(error.message).to.contain('inferenceConfig.max_new_tokens');
    });
  });

  describe('response', () => {
    it('maps a Converse response to the Nova body with Nova cache count names', () => {
      // Prepare
      const response: ConverseResponseJson = {
        output: { message: { role: 'assistant', content: [{ text: 'Sunny.' }, { toolUse: { toolUseId: 't2', name: 'log', input: {} } }] } },
        stopReason: 'tool_use',
        usage: { inputTokens: 10, outputTokens: 4, totalTokens: 20, cacheReadInputTokens: 6, cacheWriteInputTokens: 0 },
        metrics: { latencyMs: 250 },
      };

      // Act
      const body = novaFamily.fromConverse(response, ctx);

      // Assess
      expect(body).to.deep.equal({
        output: { message: { role: 'assistant', content: [{ text: 'Sunny.' }, { toolUse: { toolUseId: 't2', name: 'log', input: {} } }] } },
        stopReason: 'tool_use',
        usage: { inputTokens: 10, outputTokens: 4, totalTokens: 20, cacheReadInputTokenCount: 6, cacheWriteInputTokenCount: 0 },
      });
    });
  });

  describe('stream', () => {
    it('emits one Converse-style chunk per event and the metadata with invocation metrics last', () => {
      // Prepare
      const encoder = novaFamily.streamEncoder(ctx);
      const events: ConverseStreamEvent[] = [
        messageStart,
        delta(0, { text: 'Hel' }),
        delta(0, { text: 'lo' }),
        blockStop(0),
        toolStart(1, 't1', 'f'),
        delta(1, { toolUse: { input: '{"a":1}' } }),
        blockStop(1),
        messageStop('tool_use'),
        metadata({ inputTokens: 12, outputTokens: 5, totalTokens: 17 }, 300),
      ];

      // Act
      const perEvent = events.map((event) => encoder.push(event));
      const trailing = encoder.finish(metrics);

      // Assess
      expect(perEvent).to.deep.equal([
        [{ messageStart: { role: 'assistant' } }],
        [{ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } }],
        [{ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'lo' } } }],
        [{ contentBlockStop: { contentBlockIndex: 0 } }],
        [{ contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 't1', name: 'f' } } } }],
        [{ contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":1}' } } } }],
        [{ contentBlockStop: { contentBlockIndex: 1 } }],
        [{ messageStop: { stopReason: 'tool_use' } }],
        [],
      ]);
      expect(trailing).to.deep.equal([{
        metadata: { usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17 }, metrics: {}, trace: {} },
        'amazon-bedrock-invocationMetrics': metrics,
      }]);
    });

    it('still reports usage from the invocation metrics when no metadata event came', () => {
      // Prepare
      const encoder = novaFamily.streamEncoder(ctx);

      // Act
      const trailing = encoder.finish(metrics);

      // Assess
      expect(trailing).to.have.length(1);
      expect((trailing[0] as { metadata: { usage: unknown } }).metadata.usage).to.deep.equal({ inputTokens: 12, outputTokens: 5, totalTokens: 17 });
    });
  });
});
