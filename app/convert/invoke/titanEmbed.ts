/**
 * Amazon Titan Text Embeddings v1/v2 InvokeModel body:
 * `{inputText, dimensions?: 256|512|1024, normalize?: boolean, embeddingTypes?: ["float"]}` ->
 * `{embedding, inputTextTokenCount, embeddingsByType: {float}}`.
 *
 * - `normalize` defaults to true, as in Titan v2; the vector is L2-normalized here rather than
 *   trusting the upstream to return unit vectors.
 * - `embeddingsByType.float` is always present (v2 always sends it; v1 clients ignore it).
 * - Titan's `binary` type is a Titan-specific quantization we cannot reproduce faithfully, so it
 *   is refused by name rather than approximated; so is `inputImage` (multimodal embeddings).
 * - Without `dimensions` the upstream's native size is returned (Titan v2 would default to 1024).
 */
import * as z from '../../schemas/zod.ts';
import { parseWith } from '../../schemas/validate.ts';
import { isTitanTextModelId } from './common.ts';
import type { EmbeddingFamily, EmbeddingRequest } from './family.ts';

const TitanEmbedBody = z.looseObject({
  inputText: z.string().check(z.minLength(1)),
  dimensions: z.optional(z.union([z.literal(256), z.literal(512), z.literal(1024)], { error: 'dimensions must be 256, 512 or 1024' })),
  normalize: z.optional(z.boolean()),
  embeddingTypes: z.optional(
    z.array(z.enum(['float', 'binary'])).check(
      z.minLength(1),
      z.refine((types) => !types.includes('binary'), { message: 'embedding type "binary" is not supported by this gateway; use "float"' }),
    ),
  ),
  inputImage: z.optional(z.undefined({ error: 'image embeddings (inputImage) are not supported by this gateway' })),
});

/** Scales a vector to unit length; the zero vector stays as it is. */
export function l2Normalize(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm === 0 ? [...vector] : vector.map((x) => x / norm);
}

export const titanEmbedFamily: EmbeddingFamily = {
  kind: 'embedding',
  name: 'Titan Embeddings',

  /** Tried before Titan Text: `inputText` without `textGenerationConfig` is an embedding unless the model id says Titan Text. */
  matches(body, modelId) {
    if (typeof body.inputText !== 'string' || isTitanTextModelId(modelId)) return false;
    return modelId.toLowerCase().includes('titan-embed') || !('textGenerationConfig' in body);
  },

  toEmbeddingRequest(body): EmbeddingRequest {
    const titan = parseWith(TitanEmbedBody, body);
    return { input: [titan.inputText], ...(titan.dimensions !== undefined && { dimensions: titan.dimensions }) };
  },

  fromEmbeddings(vectors, inputTokens, body) {
    const titan = body as z.output<typeof TitanEmbedBody>;
    const raw = vectors[0] ?? [];
    const embedding = titan.normalize === false ? [...raw] : l2Normalize(raw);
    return { embedding, inputTextTokenCount: inputTokens, embeddingsByType: { float: embedding } };
  },
};
