/**
 * ConverseStream must answer what Converse answers for the same completion: the same content
 * blocks (as a client assembles them from the events) and the same stopReason. Each row is one
 * completion as stream deltas; the non-stream completion is those deltas merged, as an OpenAI
 * client merges them.
 */
import { expect } from 'chai';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { chatToConverse } from '../../../app/convert/converse/response.ts';
import { ConverseStreamTranslator } from '../../../app/convert/converse/stream.ts';
import type { ConverseStreamEvent, OutputContentBlock, StopReason } from '../../../app/convert/converse/types.ts';
import { chatChunk } from '../../helpers/chunks.ts';

interface ToolCallDelta {
  index: number;
  id?: string;
  function: { name?: string; arguments?: string };
}

interface Delta {
  content?: string;
  refusal?: string;
  reasoning_content?: string;
  tool_calls?: ToolCallDelta[];
}

const chunkOf = (delta: Delta, finishReason: string | null = null): ChatCompletionChunk => chatChunk({ ...delta }, finishReason);

/** The deltas merged into one message: strings concatenated, tool calls joined by index (a new id starts a new call). */
function mergedCompletion(deltas: readonly Delta[], finishReason: string | null): ChatCompletion {
  let content = '';
  let refusal = '';
  let reasoning = '';
  const calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  const byIndex = new Map<number, (typeof calls)[number]>();
  for (const delta of deltas) {
    content += delta.content ?? '';
    refusal += delta.refusal ?? '';
    reasoning += delta.reasoning_content ?? '';
    for (const fragment of delta.tool_calls ?? []) {
      let call = byIndex.get(fragment.index);
      if (!call || (fragment.id !== undefined && fragment.id !== call.id)) {
        call = { id: fragment.id ?? '', type: 'function', function: { name: fragment.function.name ?? '', arguments: '' } };
        byIndex.set(fragment.index, call);
        calls.push(call);
      }
      call.function.arguments += fragment.function.arguments ?? '';
    }
  }
  const message = {
    role: 'assistant',
    content: content || null,
    refusal: refusal || null,
    ...(reasoning && { reasoning_content: reasoning }),
    ...(calls.length > 0 && { tool_calls: calls }),
  };
  return {
    id: 'chatcmpl-parity',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-test',
    choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
  } as ChatCompletion;
}

/** Content blocks as a Bedrock client assembles them from the events; tool input parsed as Converse does (not an object -> {}). */
function assembledContent(events: readonly ConverseStreamEvent[]): OutputContentBlock[] {
  const blocks: { text?: string; reasoning?: string; tool?: { toolUseId: string; name: string; input: string } }[] = [];
  for (const event of events) {
    if (event.type === 'contentBlockStart') {
      blocks[event.payload.contentBlockIndex] = { tool: { ...event.payload.start.toolUse, input: '' } };
    } else if (event.type === 'contentBlockDelta') {
      const block = (blocks[event.payload.contentBlockIndex] ??= {});
      const { delta } = event.payload;
      if ('text' in delta) block.text = (block.text ?? '') + delta.text;
      else if ('toolUse' in delta) block.tool!.input += delta.toolUse.input;
      else if ('text' in delta.reasoningContent) block.reasoning = (block.reasoning ?? '') + delta.reasoningContent.text;
    }
  }
  return blocks.map((block): OutputContentBlock => {
    if (block.tool) return { toolUse: { toolUseId: block.tool.toolUseId, name: block.tool.name, input: objectOrEmpty(block.tool.input) } };
    if (block.reasoning !== undefined) return { reasoningContent: { reasoningText: { text: block.reasoning } } };
    return { text: block.text ?? '' };
  });
}

function objectOrEmpty(json: string): unknown {
  try {
    const parsed: unknown = JSON.parse(json === '' ? '{}' : json);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

const call = (index: number, id: string, name: string, args: string): ToolCallDelta => ({ index, id, function: { name, arguments: args } });
const more = (index: number, args: string): ToolCallDelta => ({ index, function: { arguments: args } });

describe('ConverseStream agrees with Converse for the same completion', () => {
  const cases: { name: string; deltas: Delta[]; finishReason: string | null; stopReason: StopReason }[] = [
    { name: 'plain text', deltas: [{ content: 'Hel' }, { content: 'lo' }], finishReason: 'stop', stopReason: 'end_turn' },
    { name: 'a tool call ended with "stop"', deltas: [{ tool_calls: [call(0, 'c1', 'f', '{"a"')] }, { tool_calls: [more(0, ':1}')] }], finishReason: 'stop', stopReason: 'tool_use' },
    { name: 'text then a tool call ended with "stop"', deltas: [{ content: 'Checking.' }, { tool_calls: [call(0, 'c1', 'f', '{}')] }], finishReason: 'stop', stopReason: 'tool_use' },
    { name: 'a tool call with no finish_reason', deltas: [{ tool_calls: [call(0, 'c1', 'f', '{}')] }], finishReason: null, stopReason: 'tool_use' },
    { name: 'parallel tool calls ended with "tool_calls"', deltas: [{ tool_calls: [call(0, 'c1', 'f', '{}'), call(1, 'c2', 'g', '{"b":2}')] }], finishReason: 'tool_calls', stopReason: 'tool_use' },
    { name: 'a tool call whose arguments are not JSON', deltas: [{ tool_calls: [call(0, 'c1', 'f', '{"a":')] }, { tool_calls: [more(0, 'oops')] }], finishReason: 'tool_calls', stopReason: 'malformed_tool_use' },
    { name: 'a tool call whose arguments are a JSON array, ended with "stop"', deltas: [{ tool_calls: [call(0, 'c1', 'f', '[1]')] }], finishReason: 'stop', stopReason: 'malformed_tool_use' },
    { name: 'two calls at one index, the first broken', deltas: [{ tool_calls: [call(0, 'c1', 'f', '{')] }, { tool_calls: [call(0, 'c2', 'g', '{}')] }], finishReason: 'tool_calls', stopReason: 'malformed_tool_use' },
    { name: 'tool arguments cut by the length limit', deltas: [{ tool_calls: [call(0, 'c1', 'f', '{"a":')] }], finishReason: 'length', stopReason: 'max_tokens' },
    { name: 'a filtered tool call', deltas: [{ tool_calls: [call(0, 'c1', 'f', '{}')] }], finishReason: 'content_filter', stopReason: 'content_filtered' },
    { name: 'content and refusal in one delta', deltas: [{ content: 'Partly:', refusal: 'not the rest' }], finishReason: 'stop', stopReason: 'end_turn' },
    { name: 'content, then refusal in later deltas', deltas: [{ content: 'Partly:' }, { refusal: 'not' }, { refusal: ' the rest' }], finishReason: 'stop', stopReason: 'end_turn' },
    { name: 'reasoning, content and refusal in one delta', deltas: [{ reasoning_content: 'hmm', content: 'Partly:', refusal: 'no' }], finishReason: 'stop', stopReason: 'end_turn' },
    { name: 'a bare refusal', deltas: [{ refusal: 'I can’t' }, { refusal: ' help.' }], finishReason: 'stop', stopReason: 'content_filtered' },
    { name: 'a refusal next to a tool call', deltas: [{ refusal: 'Only this:' }, { tool_calls: [call(0, 'c1', 'f', '{}')] }], finishReason: 'stop', stopReason: 'tool_use' },
  ];

  for (const { name, deltas, finishReason, stopReason } of cases) {
    it(`gives the same content and stopReason (${stopReason}) for ${name}`, () => {
      // Prepare
      const chunks = deltas.map((delta, i) => chunkOf(delta, i === deltas.length - 1 ? finishReason : null));
      const translator = new ConverseStreamTranslator();

      // Act
      const events = [...chunks.flatMap((chunk) => translator.push(chunk)), ...translator.finish(0)];
      const response = chatToConverse(mergedCompletion(deltas, finishReason), { latencyMs: 0 });

      // Assess
      const streamed = events.filter((e) => e.type === 'messageStop').map((e) => (e.type === 'messageStop' ? e.payload.stopReason : undefined));
      expect(response.stopReason).to.equal(stopReason);
      expect(streamed).to.deep.equal([stopReason]);
      expect(assembledContent(events)).to.deep.equal(response.output.message.content);
    });
  }
});
