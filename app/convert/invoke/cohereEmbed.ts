/**
 * Cohere Embed v3 InvokeModel body: `{texts, input_type, truncate?, embedding_types?}` ->
 * `{embeddings: number[][], id, response_type: "embeddings_floats", texts}`, or with
 * `embedding_types` -> `{embeddings: {float: number[][]}, response_type: "embeddings_by_type", ...}`.
 *
 * - `input_type` (search_document, search_query, ...) steers Cohere's own model; OpenAI embeddings
 *   have no such switch, so it is validated and otherwise ignored. `truncate` likewise.
 * - Only `float` embeddings can be served: int8/uint8/binary/ubinary are Cohere's own quantizations,
 *   refused by name rather than approximated. Image inputs (`images`) are refused too.
 */
import { randomUUID } from 'node:crypto';
import * as z from '../../schemas/zod.ts';
import { parseWith } from '../../schemas/validate.ts';
import type { EmbeddingFamily, EmbeddingRequest } from './family.ts';

const CohereEmbedBody = z.looseObject({
  texts: z.array(z.string().check(z.minLength(1))).check(z.minLength(1), z.maxLength(96)),
  input_type: z.optional(z.enum(['search_document', 'search_query', 'classification', 'clustering'])),
  truncate: z.optional(z.enum(['NONE', 'START', 'END'])),
  embedding_types: z.optional(
    z.array(z.enum(['float', 'int8', 'uint8', 'binary', 'ubinary'])).check(
      z.minLength(1),
      z.refine((types) => types.every((type) => type === 'float'), { message: 'only the "float" embedding type is supported by this gateway' }),
    ),
  ),
  images: z.optional(z.undefined({ error: 'image embeddings (images) are not supported by this gateway' })),
});

export const cohereEmbedFamily: EmbeddingFamily = {
  kind: 'embedding',
  name: 'Cohere Embed',

  matches(body, modelId) {
    return Array.isArray(body.texts) || modelId.toLowerCase().includes('cohere.embed');
  },

  toEmbeddingRequest(body): EmbeddingRequest {
    return { input: parseWith(CohereEmbedBody, body).texts };
  },

  fromEmbeddings(vectors, _inputTokens, body) {
    const cohere = body as z.output<typeof CohereEmbedBody>;
    const byType = cohere.embedding_types !== undefined;
    return {
      embeddings: byType ? { float: vectors } : vectors,
      id: randomUUID(),
      response_type: byType ? 'embeddings_by_type' : 'embeddings_floats',
      texts: cohere.texts,
    };
  },
};
