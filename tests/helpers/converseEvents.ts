/** Converse stream events as the translator emits them, for expected-event tables. */
import type { ContentBlockDelta, ConverseStreamEvent, StopReason, TokenUsage } from '../../app/convert/converse/types.ts';

export const messageStart: ConverseStreamEvent = { type: 'messageStart', payload: { role: 'assistant' } };
export const delta = (index: number, d: ContentBlockDelta): ConverseStreamEvent => ({
  type: 'contentBlockDelta',
  payload: { contentBlockIndex: index, delta: d },
});
export const textDelta = (index: number, value: string): ConverseStreamEvent => delta(index, { text: value });
export const reasoningDelta = (index: number, value: string): ConverseStreamEvent => delta(index, { reasoningContent: { text: value } });
export const toolInputDelta = (index: number, value: string): ConverseStreamEvent => delta(index, { toolUse: { input: value } });
export const toolStart = (index: number, toolUseId: string, name: string): ConverseStreamEvent => ({
  type: 'contentBlockStart',
  payload: { contentBlockIndex: index, start: { toolUse: { toolUseId, name } } },
});
export const blockStop = (index: number): ConverseStreamEvent => ({ type: 'contentBlockStop', payload: { contentBlockIndex: index } });
export const messageStop = (stopReason: StopReason): ConverseStreamEvent => ({ type: 'messageStop', payload: { stopReason } });
export const metadata = (usage: TokenUsage, latencyMs = 420): ConverseStreamEvent => ({ type: 'metadata', payload: { usage, metrics: { latencyMs } } });

