/**
 * Picks the InvokeModel body family for a (JSON-parsed) body. Families are tried in a fixed order;
 * the first whose `matches` says yes wins. The order is what disambiguates the shapes that overlap:
 *
 * 1. Anthropic      `anthropic_version` (or Messages + a Claude model id)
 * 2. Nova           `schemaVersion: "messages-v1"` (or `messages` + a Nova model id)
 * 3. Mistral chat   `messages` without either marker above, for a Mistral id or OpenAI-style messages
 * 4. Titan Embed    `inputText` without `textGenerationConfig`, unless the model id says Titan Text
 * 5. Titan Text     `inputText` (+ `textGenerationConfig` or a Titan Text model id)
 * 6. Cohere Embed   `texts` (or a cohere.embed model id)
 * 7. Mistral text   `prompt` with Mistral signals (`max_tokens`, `stop`, `top_k`, `[INST]`, Mistral id)
 * 8. Llama          any other `prompt` (`max_gen_len` or a Llama id always lands here)
 */
import { validation } from '../../core/errors.ts';
import { anthropicFamily } from './anthropic.ts';
import { cohereEmbedFamily } from './cohereEmbed.ts';
import type { InvokeFamily } from './family.ts';
import { llamaFamily } from './llama.ts';
import { mistralChatFamily } from './mistral/chat.ts';
import { mistralTextFamily } from './mistral/text.ts';
import { novaFamily } from './nova.ts';
import { titanEmbedFamily } from './titanEmbed.ts';
import { titanTextFamily } from './titanText.ts';

const FAMILIES: readonly InvokeFamily[] = [
  anthropicFamily,
  novaFamily,
  mistralChatFamily,
  titanEmbedFamily,
  titanTextFamily,
  cohereEmbedFamily,
  mistralTextFamily,
  llamaFamily,
];

/** What the caller can send, in the words of the error message (not the try order). */
const SUPPORTED_BODIES = [
  'Anthropic Messages (anthropic_version)',
  'Amazon Nova (schemaVersion messages-v1)',
  'Meta Llama (prompt + max_gen_len)',
  'Mistral (prompt or messages)',
  'Amazon Titan Text (inputText + textGenerationConfig)',
  'Titan Embeddings (inputText)',
  'Cohere Embed (texts)',
];

export function selectFamily(body: Record<string, unknown>, modelId: string): InvokeFamily {
  const family = FAMILIES.find((candidate) => candidate.matches(body, modelId));
  if (family === undefined) {
    throw validation(`The request body matches no supported model body: ${SUPPORTED_BODIES.join(', ')}`);
  }
  return family;
}
