import { expect } from 'chai';
import { toChatMessages } from '../../../app/convert/converse/content.ts';
import { BedrockError } from '../../../app/core/errors.ts';
import type { ConverseRequest } from '../../../app/schemas/converse.ts';
import {
  IMAGE_TOKENS,
  REPLY_PRIMING_TOKENS,
  TOKENS_PER_MESSAGE,
  converseToCountableText,
  countConverseTokens,
  countTextTokens,
  countRequestTokens,
} from '../../../app/tokens/promptTokens.ts';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');

async function rejected(promise: Promise<unknown>): Promise<BedrockError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BedrockError) return error;
    throw error;
  }
  throw new Error('expected a BedrockError');
}

describe('Token counting (o200k_base, offline)', () => {
  describe('countTextTokens', () => {
    // Pinned once with gpt-tokenizer's o200k_base encoding.
    const pinned: { text: string; tokens: number }[] = [
      { text: '', tokens: 0 },
      { text: 'hello world', tokens: 2 },
      { text: 'Hello, world!', tokens: 4 },
      { text: 'The quick brown fox jumps over the lazy dog.', tokens: 10 },
      { text: '<|endoftext|>', tokens: 7 },
    ];
    for (const { text, tokens } of pinned) {
      it(`counts ${JSON.stringify(text)} as ${tokens} tokens`, async () => {
        // Prepare / Act
        const count = await countTextTokens(text);

        // Assess
        expect(count).to.equal(tokens);
      });
    }
  });

  describe('converseToCountableText', () => {
    it('renders system, roles, text, tool specs, tool inputs and results deterministically', () => {
      // Prepare
      const request = {
        system: [{ text: 'Be brief.' }],
        messages: [
          { role: 'user' as const, content: [{ text: 'Weather?' }] },
          { role: 'assistant' as const, content: [{ toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Paris' } } }] },
          { role: 'user' as const, content: [{ toolResult: { toolUseId: 't1', content: [{ json: { temp: 21 } }, { text: 'sunny' }] } }] },
        ],
        toolConfig: { tools: [{ toolSpec: { name: 'get_weather', description: 'Weather by city', inputSchema: { json: { type: 'object' } } } }] },
      };

      // Act
      const text = converseToCountableText(request);

      // Assess
      expect(text).to.equal(
        ['system', 'Be brief.', 'user', 'Weather?', 'assistant', 'get_weather', '{"city":"Paris"}', 'user', '{"temp":21}', 'sunny', 'get_weather', 'Weather by city', '{"type":"object"}'].join('\n'),
      );
    });
  });

  describe('countConverseTokens', () => {
    it('adds 3 tokens per message and 3 for reply priming to the text tokens', async () => {
      // Prepare
      const request = { messages: [{ role: 'user' as const, content: [{ text: 'hello world' }] }] };

      // Act
      const count = await countConverseTokens(request);

      // Assess: "user\nhello world" is 4 tokens
      expect(count).to.equal(4 + TOKENS_PER_MESSAGE + REPLY_PRIMING_TOKENS);
    });

    it('counts a fixed cost per image and each tool result as its own message', async () => {
      // Prepare
      const withoutExtras = { messages: [{ role: 'user' as const, content: [{ text: 'hello world' }] }] };
      const withImage = {
        messages: [{ role: 'user' as const, content: [{ text: 'hello world' }, { image: { format: 'png' as const, source: { bytes: 'iVBORw0KGgo=' } } }] }],
      };
      const withToolResults = {
        messages: [{
          role: 'user' as const,
          content: [
            { toolResult: { toolUseId: 'a', content: [] } },
            { toolResult: { toolUseId: 'b', content: [] } },
            { text: 'hello world' },
          ],
        }],
      };

      // Act
      const [base, image, tools] = await Promise.all([countConverseTokens(withoutExtras), countConverseTokens(withImage), countConverseTokens(withToolResults)]);

      // Assess
      expect(image - base).to.equal(IMAGE_TOKENS);
      expect(tools - base).to.equal(2 * TOKENS_PER_MESSAGE);
    });

    // Per-message overhead follows the messages the Converse conversion really sends upstream.
    const PNG = { format: 'png' as const, source: { bytes: 'iVBORw0KGgo=' } };
    const hello = { role: 'user' as const, content: [{ text: 'hello world' }] };
    const conversions: { name: string; request: ConverseRequest; chatMessages: number; images: number }[] = [
      { name: 'a tool result with an image (a tool message plus a user message carrying the image)', request: { messages: [{ role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ image: PNG }] } }] }] }, chatMessages: 2, images: 1 },
      { name: 'messages left empty (blank text, reasoning only, cache point only), which are dropped', request: { messages: [{ role: 'user', content: [{ text: '  ' }] }, { role: 'assistant', content: [{ reasoningContent: { reasoningText: { text: 'hmm' } } }] }, { role: 'user', content: [{ cachePoint: { type: 'default' } }, { text: 'hello world' }] }] }, chatMessages: 1, images: 0 },
      { name: 'a blank system block, which sends no system message', request: { system: [{ text: ' ' }], messages: [hello] }, chatMessages: 1, images: 0 },
      { name: 'a system block and a system-role message', request: { system: [{ text: 'Be brief.' }], messages: [{ role: 'system', content: [{ text: 'Be kind.' }] }, hello] }, chatMessages: 3, images: 0 },
      { name: 'two tool results and text in one user message', request: { messages: [{ role: 'user', content: [{ toolResult: { toolUseId: 'a', content: [] } }, { toolResult: { toolUseId: 'b', content: [] } }, { text: 'hello world' }] }] }, chatMessages: 3, images: 0 },
    ];
    for (const { name, request, chatMessages, images } of conversions) {
      it(`counts ${chatMessages} chat message(s) for ${name}`, async () => {
        // Prepare
        const textTokens = await countTextTokens(converseToCountableText(request));

        // Act
        const count = await countConverseTokens(request);

        // Assess
        expect(toChatMessages(request.system ?? [], request.messages ?? [])).to.have.length(chatMessages);
        expect(count).to.equal(textTokens + chatMessages * TOKENS_PER_MESSAGE + REPLY_PRIMING_TOKENS + images * IMAGE_TOKENS);
      });
    }
  });

  describe('countRequestTokens', () => {
    it('counts a converse input', async () => {
      // Prepare
      const body = { input: { converse: { messages: [{ role: 'user', content: [{ text: 'hello world' }] }] } } };

      // Act
      const result = await countRequestTokens(body, 'amazon.nova-lite-v1:0');

      // Assess
      expect(result).to.deep.equal({ inputTokens: 10 });
    });

    const consistent: { name: string; modelId: string; invokeBody: unknown }[] = [
      { name: 'a Nova body', modelId: 'amazon.nova-lite-v1:0', invokeBody: { schemaVersion: 'messages-v1', messages: [{ role: 'user', content: [{ text: 'hello world' }] }] } },
      { name: 'a Llama body', modelId: 'meta.llama3-8b-instruct-v1:0', invokeBody: { prompt: '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhello world<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n', max_gen_len: 50 } },
      { name: 'a Mistral body', modelId: 'mistral.mistral-7b-instruct-v0:2', invokeBody: { prompt: '<s>[INST] hello world [/INST]', max_tokens: 50 } },
      { name: 'a Titan Text body', modelId: 'amazon.titan-text-express-v1', invokeBody: { inputText: 'hello world', textGenerationConfig: { maxTokenCount: 50 } } },
    ];
    for (const { name, modelId, invokeBody } of consistent) {
      it(`counts ${name} the same as the equivalent converse input`, async () => {
        // Prepare
        const converse = { input: { converse: { messages: [{ role: 'user', content: [{ text: 'hello world' }] }] } } };
        const invoke = { input: { invokeModel: { body: b64(invokeBody) } } };

        // Act
        const [fromConverse, fromInvoke] = await Promise.all([countRequestTokens(converse, modelId), countRequestTokens(invoke, modelId)]);

        // Assess
        expect(fromInvoke).to.deep.equal(fromConverse);
      });
    }

    it('counts embedding inputs as their bare texts', async () => {
      // Prepare
      const titan = { input: { invokeModel: { body: b64({ inputText: 'hello world' }) } } };
      const cohere = { input: { invokeModel: { body: b64({ texts: ['hello world', 'Hello, world!'], input_type: 'search_document' }) } } };

      // Act
      const [titanCount, cohereCount] = await Promise.all([
        countRequestTokens(titan, 'amazon.titan-embed-text-v2:0'),
        countRequestTokens(cohere, 'cohere.embed-english-v3'),
      ]);

      // Assess
      expect(titanCount).to.deep.equal({ inputTokens: 2 });
      expect(cohereCount).to.deep.equal({ inputTokens: 6 });
    });

    const invalid: { name: string; body: unknown; field: string }[] = [
      { name: 'no input', body: {}, field: 'input' },
      { name: 'both converse and invokeModel', body: { input: { converse: {}, invokeModel: { body: b64({ inputText: 'x' }) } } }, field: 'input' },
      { name: 'neither converse nor invokeModel', body: { input: {} }, field: 'input' },
      { name: 'a body that is not base64', body: { input: { invokeModel: { body: 'not base64!' } } }, field: 'input.invokeModel.body' },
      { name: 'a body that is not JSON', body: { input: { invokeModel: { body: Buffer.from('nope').toString('base64') } } }, field: 'input.invokeModel.body: the InvokeModel body is not valid JSON' },
      { name: 'a JSON body that is not an object', body: { input: { invokeModel: { body: b64([1, 2]) } } }, field: 'input.invokeModel.body: the InvokeModel body must be a JSON object' },
      { name: 'an invalid converse message', body: { input: { converse: { messages: [{ role: 'robot', content: [] }] } } }, field: 'input.converse.messages[0].role' },
      { name: 'an invalid family body', body: { input: { invokeModel: { body: b64({ prompt: 'x', max_gen_len: -1 }) } } }, field: 'input.invokeModel.body: 1 validation error detected: max_gen_len' },
      // Content the Converse conversion refuses is refused here too, with its message under the right field.
      { name: 'converse content the gateway cannot send', body: { input: { converse: { messages: [{ role: 'user', content: [{ video: { format: 'mp4', source: { bytes: 'AAAA' } } }] }] } } }, field: 'input.converse.messages[0].content[0]: video content is not supported' },
      { name: 'a converse image from S3', body: { input: { converse: { messages: [{ role: 'user', content: [{ image: { format: 'png', source: { s3Location: { uri: 's3://b/k' } } } }] }] } } }, field: 'input.converse.messages[0].content[0].image.source.s3Location' },
      { name: 'an invoke body whose conversation the gateway cannot send', body: { input: { invokeModel: { body: b64({ schemaVersion: 'messages-v1', messages: [{ role: 'user', content: [{ video: { format: 'mp4', source: { bytes: 'AAAA' } } }] }] }) } } }, field: 'input.invokeModel.body: messages[0].content[0]: video content is not supported' },
    ];
    for (const { name, body, field } of invalid) {
      it(`rejects ${name} with a ValidationException naming ${field}`, async () => {
        // Prepare / Act
        const error = await rejected(countRequestTokens(body, 'custom'));

        // Assess
        expect(error.exception).to.equal('ValidationException');
        expect(error.message).to.contain(field);
      });
    }

    it('rejects an invokeModel body no family recognises', async () => {
      // Prepare
      const body = { input: { invokeModel: { body: b64({ question: 'hi' }) } } };

      // Act
      const error = await rejected(countRequestTokens(body, 'custom'));

      // Assess
      expect(error.exception).to.equal('ValidationException');
      expect(error.message).to.contain('matches no supported model body');
    });
  });
});
