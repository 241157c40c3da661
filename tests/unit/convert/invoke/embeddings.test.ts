import { expect } from 'chai';
import { cohereEmbedFamily } from '../../../../app/convert/invoke/cohereEmbed.ts';
import { l2Normalize, titanEmbedFamily } from '../../../../app/convert/invoke/titanEmbed.ts';
import type { InvalidBodyCase } from './helpers.ts';
import { itRejectsEachNamingTheField } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('InvokeModel family: Titan Embeddings', () => {
  describe('request', () => {
    it('maps inputText and dimensions to an embedding request', () => {
      // Prepare
      const body = { inputText: 'hello world', dimensions: 256, normalize: true, embeddingTypes: ['float'] };

      // Act
      const request = titanEmbedFamily.toEmbeddingRequest(body);

      // Assess
      expect(request).to.deep.equal({ input: ['hello world'], dimensions: 256 });
    });

    it('leaves dimensions out when the body has none (Titan v1)', () => {
      // Prepare / Act
      const request = titanEmbedFamily.toEmbeddingRequest({ inputText: 'hi' });

      // Assess
      expect(request).to.deep.equal({ input: ['hi'] });
    });

    const invalid: InvalidBodyCase[] = [
      { name: 'unsupported dimensions', body: { inputText: 'x', dimensions: 300 }, field: 'dimensions' },
      { name: 'the binary embedding type', body: { inputText: 'x', embeddingTypes: ['float', 'binary'] }, field: 'embeddingTypes' },
      { name: 'an image input', body: { inputText: 'x', inputImage: 'aGk=' }, field: 'inputImage' },
      { name: 'an empty inputText', body: { inputText: '' }, field: 'inputText' },
    ];
    itRejectsEachNamingTheField(invalid, (body) => titanEmbedFamily.toEmbeddingRequest(body));
  });

  describe('response', () => {
    it('L2-normalizes by default and reports the token count and embeddingsByType.float', () => {
      // Prepare
      const vectors = [[3, 4]];

      // Act
      const body = titanEmbedFamily.fromEmbeddings(vectors, 2, { inputText: 'hello world' });

      // Assess
      expect(body).to.deep.equal({ embedding: [0.6, 0.8], inputTextTokenCount: 2, embeddingsByType: { float: [0.6, 0.8] } });
    });

    it('returns the raw vector when normalize is false', () => {
      // Prepare
      const vectors = [[3, 4]];

      // Act
      const body = titanEmbedFamily.fromEmbeddings(vectors, 2, { inputText: 'hello world', normalize: false }) as { embedding: number[] };

      // Assess
      expect(body.embedding).to.deep.equal([3, 4]);
    });

    it('leaves a zero vector unchanged instead of dividing by zero', () => {
      // Prepare / Act
      const normalized = l2Normalize([0, 0, 0]);

      // Assess
      expect(normalized).to.deep.equal([0, 0, 0]);
    });
  });
});

describe('InvokeModel family: Cohere Embed', () => {
  describe('request', () => {
    it('maps texts to the embedding input, in order', () => {
      // Prepare
      const body = { texts: ['first', 'second'], input_type: 'search_document', truncate: 'END' };

      // Act
      const request = cohereEmbedFamily.toEmbeddingRequest(body);

      // Assess
      expect(request).to.deep.equal({ input: ['first', 'second'] });
    });

    const invalid: InvalidBodyCase[] = [
      { name: 'a missing texts', body: { input_type: 'search_query' }, field: 'texts' },
      { name: 'an unknown input_type', body: { texts: ['a'], input_type: 'poetry' }, field: 'input_type' },
      { name: 'a quantized embedding type', body: { texts: ['a'], embedding_types: ['int8'] }, field: 'embedding_types' },
      { name: 'more than 96 texts', body: { texts: Array.from({ length: 97 }, () => 'a') }, field: 'texts' },
    ];
    itRejectsEachNamingTheField(invalid, (body) => cohereEmbedFamily.toEmbeddingRequest(body));
  });

  describe('response', () => {
    it('returns embeddings_floats with the texts echoed and a request id', () => {
      // Prepare
      const vectors = [[0.1, 0.2], [0.3, 0.4]];

      // Act
      const body = cohereEmbedFamily.fromEmbeddings(vectors, 4, { texts: ['first', 'second'] }) as Record<string, unknown>;

      // Assess
      expect(body.embeddings).to.deep.equal(vectors);
      expect(body.response_type).to.equal('embeddings_floats');
      expect(body.texts).to.deep.equal(['first', 'second']);
      expect(body.id).to.match(UUID);
    });

    it('returns embeddings_by_type when embedding_types asks for float', () => {
      // Prepare
      const vectors = [[0.1, 0.2]];

      // Act
      const body = cohereEmbedFamily.fromEmbeddings(vectors, 1, { texts: ['only'], embedding_types: ['float'] }) as Record<string, unknown>;

      // Assess
      expect(body.embeddings).to.deep.equal({ float: vectors });
      expect(body.response_type).to.equal('embeddings_by_type');
    });
  });
});
