import { expect } from 'chai';
import type { InvocationMetrics, InvokeContext } from '../../../../app/convert/invoke/family.ts';
import { llamaFamily, parseLlamaPrompt } from '../../../../app/convert/invoke/llama.ts';
import type { ConverseResponseJson, StopReason } from '../../../../app/convert/converse/types.ts';
import type { InvalidBodyCase } from './helpers.ts';
import { answerEvents, encodeStream, itRejectsEachNamingTheField, textDelta } from './helpers.ts';

const ctx: InvokeContext = { modelId: 'meta.llama3-1-70b-instruct-v1:0', upstreamModel: 'gpt-4o-mini', requestId: 'req-1' };
const metrics: InvocationMetrics = { inputTokenCount: 20, outputTokenCount: 3, invocationLatency: 400, firstByteLatency: 100 };
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const LLAMA3_PROMPT =
  '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>' +
  '<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>' +
  '<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>' +
  '<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>' +
  '<|start_header_id|>assistant<|end_header_id|>\n\n';

function response(text: string, stopReason: StopReason): ConverseResponseJson {
  return {
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason,
    usage: { inputTokens: 15, outputTokens: 7, totalTokens: 22 },
    metrics: { latencyMs: 100 },
  };
}

describe('InvokeModel family: Meta Llama', () => {
  describe('request', () => {
    it('maps a plain prompt to one user message with its inference parameters', () => {
      // Prepare
      const body = { prompt: 'Tell me a joke.', max_gen_len: 256, temperature: 0.5, top_p: 0.9 };

      // Act
      const request = llamaFamily.toConverse(body);

      // Assess
      expect(request).to.deep.equal({
        messages: [{ role: 'user', content: [{ text: 'Tell me a joke.' }] }],
        inferenceConfig: { maxTokens: 256, temperature: 0.5, topP: 0.9 },
      });
    });

    it('parses a Llama 3 chat template into system and alternating turns, dropping the generation header', () => {
      // Prepare
      const body = { prompt: LLAMA3_PROMPT };

      // Act
      const request = llamaFamily.toConverse(body);

      // Assess
      expect(request).to.deep.equal({
        system: [{ text: 'You are terse.' }],
        messages: [
          { role: 'user', content: [{ text: 'Hi there' }] },
          { role: 'assistant', content: [{ text: 'Hello.' }] },
          { role: 'user', content: [{ text: 'What is 2+2?' }] },
        ],
      });
    });

    it('merges consecutive same-role turns and treats ipython output as user input', () => {
      // Prepare
      const prompt = '<|start_header_id|>user<|end_header_id|>\n\nCall it<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n\n{"ok":true}<|eot_id|>';

      // Act
      const turns = parseLlamaPrompt(prompt);
      const request = llamaFamily.toConverse({ prompt });

      // Assess
      expect(turns).to.deep.equal([{ role: 'user', text: 'Call it' }, { role: 'user', text: '{"ok":true}' }]);
      expect(request.messages).to.deep.equal([{ role: 'user', content: [{ text: 'Call it' }, { text: '{"ok":true}' }] }]);
    });

    it('attaches Llama 3.2 images to the first user turn, with the format read from the bytes', () => {
      // Prepare
      const body = { prompt: '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n<|image|>What is this?<|eot_id|>', images: [PNG_BASE64] };

      // Act
      const request = llamaFamily.toConverse(body);

      // Assess
      expect(request.messages).to.deep.equal([
        { role: 'user', content: [{ image: { format: 'png', source: { bytes: PNG_BASE64 } } }, { text: 'What is this?' }] },
      ]);
    });

    const invalid: InvalidBodyCase[] = [
      { name: 'a non-integer max_gen_len', body: { prompt: 'x', max_gen_len: 1.5 }, field: 'max_gen_len' },
      { name: 'a missing prompt', body: { max_gen_len: 10 }, field: 'prompt' },
      { name: 'an unknown role header', body: { prompt: '<|start_header_id|>robot<|end_header_id|>\n\nhi' }, field: 'prompt' },
      { name: 'a prompt with only a system turn', body: { prompt: '<|start_header_id|>system<|end_header_id|>\n\nBe nice.<|eot_id|>' }, field: 'prompt' },
      { name: 'an image that is not an image', body: { prompt: 'x', images: ['aGVsbG8gd29ybGQ='] }, field: 'images[0]' },
    ];
    itRejectsEachNamingTheField(invalid, (body) => llamaFamily.toConverse(body));
  });

  describe('response', () => {
    const cases: { stopReason: StopReason; expected: string }[] = [
      { stopReason: 'end_turn', expected: 'stop' },
      { stopReason: 'stop_sequence', expected: 'stop' },
      { stopReason: 'max_tokens', expected: 'length' },
    ];
    for (const { stopReason, expected } of cases) {
      it(`maps stopReason ${stopReason} to stop_reason ${expected}`, () => {
        // Prepare
        const converse = response('Four.', stopReason);

        // Act
        const body = llamaFamily.fromConverse(converse, ctx);

        // Assess
        expect(body).to.deep.equal({ generation: 'Four.', prompt_token_count: 15, generation_token_count: 7, stop_reason: expected });
      });
    }

    it('counts cached prompt tokens in prompt_token_count', () => {
      // Prepare
      const converse = { ...response('ok', 'end_turn'), usage: { inputTokens: 5, outputTokens: 1, totalTokens: 106, cacheReadInputTokens: 100 } };

      // Act
      const body = llamaFamily.fromConverse(converse, ctx) as { prompt_token_count: number };

      // Assess
      expect(body.prompt_token_count).to.equal(105);
    });
  });

  describe('stream', () => {
    it('emits one chunk per text delta with a running count, and the counts and metrics last', () => {
      // Prepare
      const encoder = llamaFamily.streamEncoder(ctx);
      const events = answerEvents(['Fo', 'ur.'], 'max_tokens', { inputTokens: 20, outputTokens: 3, totalTokens: 23 }, 400);

      // Act
      const chunks = encodeStream(encoder, events, metrics);

      // Assess
      expect(chunks).to.deep.equal([
        { generation: 'Fo', prompt_token_count: null, generation_token_count: 1, stop_reason: null },
        { generation: 'ur.', prompt_token_count: null, generation_token_count: 2, stop_reason: null },
        { generation: '', prompt_token_count: 20, generation_token_count: 3, stop_reason: 'length', 'amazon-bedrock-invocationMetrics': metrics },
      ]);
    });

    it('emits each delta as soon as it is pushed', () => {
      // Prepare
      const encoder = llamaFamily.streamEncoder(ctx);

      // Act
      const chunks = encoder.push(textDelta(0, 'a'));

      // Assess
      expect(chunks).to.have.length(1);
    });
  });
});
