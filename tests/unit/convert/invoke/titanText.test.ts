import { expect } from 'chai';
import type { InvocationMetrics, InvokeContext } from '../../../../app/convert/invoke/family.ts';
import { titanTextFamily } from '../../../../app/convert/invoke/titanText.ts';
import type { ConverseResponseJson, StopReason } from '../../../../app/convert/converse/types.ts';
import { answerEvents, caught, encodeStream } from './helpers.ts';

const ctx: InvokeContext = { modelId: 'amazon.titan-text-express-v1', upstreamModel: 'gpt-4o-mini', requestId: 'req-1' };
const metrics: InvocationMetrics = { inputTokenCount: 8, outputTokenCount: 4, invocationLatency: 200, firstByteLatency: 60 };

describe('InvokeModel family: Amazon Titan Text', () => {
  describe('request', () => {
    it('maps inputText and textGenerationConfig to Converse', () => {
      // Prepare
      const body = { inputText: 'User: hi\nBot:', textGenerationConfig: { maxTokenCount: 512, stopSequences: ['User:'], temperature: 0, topP: 0.9 } };

      // Act
      const request = titanTextFamily.toConverse(body);

      // Assess
      expect(request).to.deep.equal({
        messages: [{ role: 'user', content: [{ text: 'User: hi\nBot:' }] }],
        inferenceConfig: { maxTokens: 512, temperature: 0, topP: 0.9, stopSequences: ['User:'] },
      });
    });

    it('accepts inputText alone', () => {
      // Prepare / Act
      const request = titanTextFamily.toConverse({ inputText: 'hello' });

      // Assess
      expect(request).to.deep.equal({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] });
    });

    it('names the offending field when the body is invalid', () => {
      // Prepare / Act
      const error = caught(() => titanTextFamily.toConverse({ inputText: 'x', textGenerationConfig: { temperature: 3 } }));

      // Assess
      expect(error.exception).to.equal('ValidationException');
      expect(error.message).to.contain('textGenerationConfig.temperature');
    });
  });

  describe('response', () => {
    const cases: { stopReason: StopReason; completionReason: string }[] = [
      { stopReason: 'end_turn', completionReason: 'FINISH' },
      { stopReason: 'max_tokens', completionReason: 'LENGTH' },
      { stopReason: 'stop_sequence', completionReason: 'STOP_CRITERIA_MET' },
      { stopReason: 'content_filtered', completionReason: 'CONTENT_FILTERED' },
    ];
    for (const { stopReason, completionReason } of cases) {
      it(`maps stopReason ${stopReason} to completionReason ${completionReason}`, () => {
        // Prepare
        const response: ConverseResponseJson = {
          output: { message: { role: 'assistant', content: [{ text: 'Hello!' }] } },
          stopReason,
          usage: { inputTokens: 8, outputTokens: 3, totalTokens: 11 },
          metrics: { latencyMs: 5 },
        };

        // Act
        const body = titanTextFamily.fromConverse(response, ctx);

        // Assess
        expect(body).to.deep.equal({ inputTextTokenCount: 8, results: [{ tokenCount: 3, outputText: 'Hello!', completionReason }] });
      });
    }
  });

  describe('stream', () => {
    it('emits outputText per delta with null counts, and the counts, reason and metrics last', () => {
      // Prepare
      const encoder = titanTextFamily.streamEncoder(ctx);
      const events = answerEvents(['Hel', { reasoningContent: { text: 'hmm' } }, 'lo'], 'end_turn', { inputTokens: 8, outputTokens: 4, totalTokens: 12 }, 200);

      // Act
      const chunks = encodeStream(encoder, events, metrics);

      // Assess
      expect(chunks).to.deep.equal([
        { outputText: 'Hel', index: 0, totalOutputTextTokenCount: null, completionReason: null, inputTextTokenCount: null },
        { outputText: 'lo', index: 0, totalOutputTextTokenCount: null, completionReason: null, inputTextTokenCount: null },
        {
          outputText: '',
          index: 0,
          totalOutputTextTokenCount: 4,
          completionReason: 'FINISH',
          inputTextTokenCount: 8,
          'amazon-bedrock-invocationMetrics': metrics,
        },
      ]);
    });
  });
});
