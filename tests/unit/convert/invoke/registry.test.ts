import { expect } from 'chai';
import { selectFamily } from '../../../../app/convert/invoke/registry.ts';
import { caught } from './helpers.ts';

const userMessage = { role: 'user', content: [{ text: 'hi' }] };

describe('InvokeModel family registry', () => {
  const table: { name: string; body: Record<string, unknown>; modelId: string; family: string }[] = [
    { name: 'Anthropic by anthropic_version', body: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [userMessage] }, modelId: 'anthropic.claude-3-haiku-20240307-v1:0', family: 'anthropic' },
    { name: 'Anthropic version wins over a Mistral model id', body: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [userMessage] }, modelId: 'mistral.mistral-large-2407-v1:0', family: 'anthropic' },
    { name: 'Nova by schemaVersion, whatever the model id', body: { schemaVersion: 'messages-v1', messages: [userMessage] }, modelId: 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc', family: 'Amazon Nova' },
    { name: 'Nova 2 by model id without schemaVersion', body: { messages: [userMessage], inferenceConfig: { maxTokens: 10 } }, modelId: 'us.amazon.nova-2-lite-v1:0', family: 'Amazon Nova' },
    { name: 'Mistral chat by model id', body: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 }, modelId: 'mistral.mistral-large-2407-v1:0', family: 'Mistral chat' },
    { name: 'Mistral chat by OpenAI-style string content', body: { messages: [{ role: 'user', content: 'hi' }] }, modelId: 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/xyz', family: 'Mistral chat' },
    { name: 'Titan Embeddings by model id', body: { inputText: 'hi' }, modelId: 'amazon.titan-embed-text-v2:0', family: 'Titan Embeddings' },
    { name: 'Titan Embeddings for bare inputText and an unknown id', body: { inputText: 'hi', dimensions: 256 }, modelId: 'my-embedder', family: 'Titan Embeddings' },
    { name: 'Titan Text by textGenerationConfig', body: { inputText: 'hi', textGenerationConfig: { maxTokenCount: 10 } }, modelId: 'my-model', family: 'Amazon Titan Text' },
    { name: 'Titan Text by model id with inputText alone', body: { inputText: 'hi' }, modelId: 'amazon.titan-text-express-v1', family: 'Amazon Titan Text' },
    { name: 'Titan Text by the older titan-tg id', body: { inputText: 'hi' }, modelId: 'amazon.titan-tg1-large', family: 'Amazon Titan Text' },
    { name: 'Cohere Embed by texts', body: { texts: ['a'], input_type: 'search_query' }, modelId: 'cohere.embed-english-v3', family: 'Cohere Embed' },
    { name: 'Mistral text by model id', body: { prompt: 'hi', temperature: 0.5 }, modelId: 'mistral.mistral-7b-instruct-v0:2', family: 'Mistral' },
    { name: 'Mistral text by [INST] for an unknown id', body: { prompt: '<s>[INST] hi [/INST]' }, modelId: 'custom', family: 'Mistral' },
    { name: 'Mistral text by max_tokens for an unknown id', body: { prompt: 'hi', max_tokens: 5 }, modelId: 'custom', family: 'Mistral' },
    { name: 'Llama by max_gen_len', body: { prompt: 'hi', max_gen_len: 5 }, modelId: 'custom', family: 'Meta Llama' },
    { name: 'Llama by model id even with a Mistral-looking prompt', body: { prompt: '[INST] hi [/INST]' }, modelId: 'meta.llama2-13b-chat-v1', family: 'Meta Llama' },
    { name: 'Llama for a bare prompt and an unknown id', body: { prompt: 'hi', temperature: 0.1 }, modelId: 'custom', family: 'Meta Llama' },
  ];
  for (const { name, body, modelId, family } of table) {
    it(`selects ${name}`, () => {
      // Prepare / Act
      const selected = selectFamily(body, modelId);

      // Assess
      expect(selected.name).to.equal(family);
    });
  }

  it('rejects a body no family recognises, listing the supported bodies', () => {
    // Prepare
    const body = { question: 'hi' };

    // Act
    const error = caught(() => selectFamily(body, 'custom'));

    // Assess
    expect(error.exception).to.equal('ValidationException');
    expect(error.status).to.equal(400);
    expect(error.message).to.equal(
      'The request body matches no supported model body: Anthropic Messages (anthropic_version), Amazon Nova (schemaVersion messages-v1), ' +
        'Meta Llama (prompt + max_gen_len), Mistral (prompt or messages), Amazon Titan Text (inputText + textGenerationConfig), ' +
        'Titan Embeddings (inputText), Cohere Embed (texts)',
    );
  });

  it('does not read Nova-style block messages with a Claude model id as Mistral chat', () => {
    // Prepare
    const body = { messages: [userMessage] };

    // Act
    const error = caught(() => selectFamily(body, 'anthropic.claude-3-haiku-20240307-v1:0'));

    // Assess
    expect(error.exception).to.equal('ValidationException');
  });
});
