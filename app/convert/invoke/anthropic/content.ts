/**
 * Anthropic message content -> Converse content blocks. The schema has already
 * rejected what cannot be served, so every block here has a Converse form or is dropped.
 */
import { assertNever } from '../../../core/assertNever.ts';
import type { ContentBlock, ToolResultContent } from '../../../schemas/converse.ts';
import type { AnthropicContentBlock, AnthropicImageBlock, AnthropicMessage, AnthropicTextBlock } from './schema.ts';

type ImageFormat = NonNullable<ContentBlock['image']>['format'];
type ToolResultBlock = Extract<AnthropicContentBlock, { type: 'tool_result' }>;
type DocumentBlock = Extract<AnthropicContentBlock, { type: 'document' }>;

/** Converse limits a document name to 200 characters and requires one. */
const DOCUMENT_NAME_MAX = 200;

function image(block: AnthropicImageBlock): ContentBlock {
  const { media_type, data } = block.source;
  return { image: { format: media_type.slice('image/'.length) as ImageFormat, source: { bytes: data } } };
}

function document(block: DocumentBlock): ContentBlock {
  const name = (block.title || 'document').slice(0, DOCUMENT_NAME_MAX);
  const { source } = block;
  switch (source.type) {
    case 'base64':
      return { document: { format: 'pdf', name, source: { bytes: source.data } } };
    case 'text':
      return { document: { format: 'txt', name, source: { text: source.data } } };
    default:
      return assertNever(source, 'document source');
  }
}

function toolResultContent(content: ToolResultBlock['content']): ToolResultContent[] {
  if (content === undefined) return [];
  return content.map((part: AnthropicTextBlock | AnthropicImageBlock): ToolResultContent => {
    switch (part.type) {
      case 'text':
        return { text: part.text };
      case 'image':
        return { image: image(part).image };
      default:
        return assertNever(part, 'tool_result content block');
    }
  });
}

/** One Anthropic block -> one Converse block, or undefined when the block is dropped. */
function contentBlock(block: AnthropicContentBlock): ContentBlock | undefined {
  switch (block.type) {
    case 'text':
      return { text: block.text };
    case 'image':
      return image(block);
    case 'document':
      return document(block);
    case 'tool_use':
      return { toolUse: { toolUseId: block.id, name: block.name, input: block.input ?? {} } };
    case 'tool_result':
      return {
        toolResult: {
          toolUseId: block.tool_use_id,
          content: toolResultContent(block.content),
          status: block.is_error === true ? 'error' : 'success',
        },
      };
    case 'thinking': {
      const reasoningText = block.signature === undefined ? { text: block.thinking } : { text: block.thinking, signature: block.signature };
      return { reasoningContent: { reasoningText } };
    }
    // Redacted thinking is encrypted for Anthropic's own models; no upstream here can read it back.
    case 'redacted_thinking':
      return undefined;
    default:
      return assertNever(block, 'content block');
  }
}

export function messageContent(content: AnthropicMessage['content']): ContentBlock[] {
  return content.map(contentBlock).filter((block): block is ContentBlock => block !== undefined);
}
