/**
 * OpenAI ChatCompletionChunk stream -> ConverseStream events (wire spec sections 3 and 8, "Streaming").
 *
 * A pure state machine: no I/O, no clock. The caller feeds each upstream chunk to `push`, writes the
 * returned events, and calls `finish` once the upstream ended normally (or sends an exception frame
 * when `completed` is still false, i.e. the upstream was cut before a finish_reason).
 *
 * Block rules: indexes start at 0 and grow by one per block; at most one block is open at a time;
 * every opened block gets exactly one contentBlockStop. Text and reasoning blocks have no
 * contentBlockStart (as in real Bedrock); toolUse blocks do.
 *
 * Same answer as the response conversion (response.ts): a refusal is a text block of its own after
 * the answer text, and the stop reason comes from the shared `decideStopReason`, which needs what
 * the turn carried (text, refusal, tool calls and whether their arguments parse), so tool-call
 * arguments are kept until messageStop.
 */
import { randomBytes } from 'node:crypto';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { additionalResponseFields, nonEmpty, parseToolInput, reasoningText } from './outputFields.ts';
import type { ReasoningFields } from './outputFields.ts';
import { decideStopReason } from './stopReason.ts';
import type { ContentBlockDelta, ConverseStreamEvent, TokenUsage } from './types.ts';
import { toTokenUsage } from './usage.ts';

type ToolCallDelta = ChatCompletionChunk.Choice.Delta.ToolCall;

/** A refusal is sent as text, but in a block of its own (as response.ts gives it its own text block). */
type BlockKind = 'text' | 'refusal' | 'reasoning' | 'toolUse';

interface OpenBlock {
  index: number;
  kind: BlockKind;
}

interface ToolBlock {
  index: number;
  toolUseId: string;
  /** The argument fragments so far, joined: whether they parse decides malformed_tool_use. */
  arguments: string;
}

export interface ConverseStreamTranslatorOptions {
  additionalModelResponseFieldPaths?: readonly string[];
}

export class ConverseStreamTranslator {
  readonly #additionalModelResponseFields: Record<string, unknown> | undefined;
  #started = false;
  #stopped = false;
  #finished = false;
  #completed = false;
  #usage: TokenUsage | undefined;
  #nextIndex = 0;
  #open: OpenBlock | undefined;
  #sawText = false;
  #sawRefusal = false;
  /** Every toolUse block, in order (an index reused for a new call replaces its map entry, not this). */
  readonly #toolUses: ToolBlock[] = [];
  /** OpenAI tool index k -> the block it was given. */
  readonly #toolBlocks = new Map<number, ToolBlock>();
  /** The OpenAI tool index of the most recent tool call (used when a fragment has no index). */
  #currentToolKey: number | undefined;

  constructor(options: ConverseStreamTranslatorOptions = {}) {
    this.#additionalModelResponseFields = additionalResponseFields(options.additionalModelResponseFieldPaths);
  }

  /** True once a finish_reason was seen; an upstream that ends without one was cut. */
  get completed(): boolean {
    return this.#completed;
  }

  /** Usage seen so far, Bedrock-shaped (zeros until a usage chunk arrives). */
  get usage(): TokenUsage {
    return this.#usage ?? toTokenUsage(undefined);
  }

  /** Events for one upstream chunk (possibly none). */
  push(chunk: ChatCompletionChunk): ConverseStreamEvent[] {
    const events: ConverseStreamEvent[] = [];
    // n>1 has no Converse counterpart: only the first choice is translated.
    const choice = chunk.choices.find((c) => c.index === 0) ?? chunk.choices[0];
    if (chunk.usage) this.#usage = toTokenUsage(chunk.usage);
    if (!choice && !chunk.usage) return events;
    this.#ensureStarted(events);
    // Bedrock never sends content after messageStop; a late delta is dropped rather than reopening blocks.
    if (!choice || this.#stopped) return events;

    const delta = choice.delta ?? {};
    const reasoning = reasoningText(delta as ReasoningFields);
    if (reasoning) this.#appendTo('reasoning', { reasoningContent: { text: reasoning } }, events);
    // Same order as the response content: reasoning, text, refusal, tool uses.
    const text = nonEmpty(delta.content);
    if (text) {
      this.#sawText = true;
      this.#appendTo('text', { text }, events);
    }
    const refusal = nonEmpty(delta.refusal);
    if (refusal) {
      this.#sawRefusal = true;
      this.#appendTo('refusal', { text: refusal }, events);
    }
    for (const toolCall of delta.tool_calls ?? []) this.#toolCall(toolCall, events);

    if (choice.finish_reason) {
      this.#completed = true;
      this.#stopMessage(choice.finish_reason, events);
    }
    return events;
  }

  /** Events that close a normally ended stream: open blocks stopped, messageStop if not yet sent, metadata last. */
  finish(latencyMs: number): ConverseStreamEvent[] {
    const events: ConverseStreamEvent[] = [];
    if (this.#finished) return events;
    this.#finished = true;
    this.#ensureStarted(events);
    // No finish_reason: decided as the response conversion decides a null one.
    this.#stopMessage(undefined, events);
    events.push({ type: 'metadata', payload: { usage: this.usage, metrics: { latencyMs } } });
    return events;
  }

  #ensureStarted(events: ConverseStreamEvent[]): void {
    if (this.#started) return;
    this.#started = true;
    events.push({ type: 'messageStart', payload: { role: 'assistant' } });
  }

  #stopMessage(finishReason: string | undefined, events: ConverseStreamEvent[]): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopOpenBlock(events);
    const stopReason = decideStopReason(finishReason, {
      text: this.#sawText,
      refusal: this.#sawRefusal,
      toolUses: this.#toolUses.length,
      malformedToolUse: this.#toolUses.some((block) => parseToolInput(block.arguments) === undefined),
    });
    const additionalModelResponseFields = this.#additionalModelResponseFields;
    events.push({ type: 'messageStop', payload: additionalModelResponseFields ? { stopReason, additionalModelResponseFields } : { stopReason } });
  }

  #stopOpenBlock(events: ConverseStreamEvent[]): void {
    if (!this.#open) return;
    events.push({ type: 'contentBlockStop', payload: { contentBlockIndex: this.#open.index } });
    this.#open = undefined;
  }

  #openBlock(kind: BlockKind, events: ConverseStreamEvent[]): number {
    this.#stopOpenBlock(events);
    const index = this.#nextIndex++;
    this.#open = { index, kind };
    return index;
  }

  /** Text, refusal and reasoning: continue the open block of that kind, or open a new one (no start event). */
  #appendTo(kind: Exclude<BlockKind, 'toolUse'>, delta: ContentBlockDelta, events: ConverseStreamEvent[]): void {
    const index = this.#open?.kind === kind ? this.#open.index : this.#openBlock(kind, events);
    events.push({ type: 'contentBlockDelta', payload: { contentBlockIndex: index, delta } });
  }

  /**
   * A fragment with an id (or for a tool index not seen yet) starts a new toolUse block.
   * Argument fragments go to the block mapped from their tool index. OpenAI sends parallel calls
   * one after another; should a fragment for an earlier call arrive after a later one started, it is
   * emitted with the earlier call's index (nothing is buffered and no block is reopened).
   */
  #toolCall(toolCall: ToolCallDelta, events: ConverseStreamEvent[]): void {
    const key = typeof toolCall.index === 'number' ? toolCall.index : (this.#currentToolKey ?? 0);
    let block = this.#toolBlocks.get(key);
    // Some compatible servers repeat the id on every fragment; a different id at the same index is a new call.
    if (!block || (toolCall.id && toolCall.id !== block.toolUseId)) {
      block = this.#startToolUse(key, toolCall, events);
    }
    const input = toolCall.function?.arguments;
    if (input) {
      block.arguments += input;
      events.push({ type: 'contentBlockDelta', payload: { contentBlockIndex: block.index, delta: { toolUse: { input } } } });
    }
  }

  #startToolUse(key: number, toolCall: ToolCallDelta, events: ConverseStreamEvent[]): ToolBlock {
    const index = this.#openBlock('toolUse', events);
    const block: ToolBlock = { index, toolUseId: toolCall.id || newToolUseId(), arguments: '' };
    this.#toolBlocks.set(key, block);
    this.#toolUses.push(block);
    this.#currentToolKey = key;
    events.push({
      type: 'contentBlockStart',
      payload: { contentBlockIndex: index, start: { toolUse: { toolUseId: block.toolUseId, name: toolCall.function?.name ?? '' } } },
    });
    return block;
  }
}

/** Bedrock-style id (`tooluse_` + 22 url-safe characters) for servers that omit one. */
function newToolUseId(): string {
  return `tooluse_${randomBytes(16).toString('base64url')}`;
}

