/**
 * Shared setup for the InvokeModel family tests: catching the BedrockError a conversion throws,
 * the table-driven "rejects ... naming the field" tests, Converse stream event builders, and
 * driving a family stream encoder to its last chunk.
 */
import { expect } from 'chai';
import { thrownBedrockError } from '../../../helpers/bedrockErrors.ts';
import type { FamilyStreamEncoder, InvocationMetrics } from '../../../../app/convert/invoke/family.ts';
import type { ContentBlockDelta, ConverseStreamEvent, StopReason, TokenUsage } from '../../../../app/convert/converse/types.ts';

/** The BedrockError an action throws; anything else thrown, or nothing thrown, fails the test. */
export const caught = thrownBedrockError;

/** A body a family must refuse, and the field its ValidationException must name. */
export interface InvalidBodyCase {
  name: string;
  body: Record<string, unknown>;
  field: string;
}

/** One test per case: converting the body throws a ValidationException whose message names the field. */
export function itRejectsEachNamingTheField(cases: readonly InvalidBodyCase[], convert: (body: Record<string, unknown>) => unknown): void {
  for (const { name, body, field } of cases) {
    it(`rejects ${name} with a ValidationException naming ${field}`, () => {
      // Prepare / Act
      const error = caught(() => convert(body));

      // Assess
      expect(error.exception).to.equal('ValidationException');
      expect(error.message).to.contain(field);
    });
  }
}

// Converse stream events, as the Chat Completions stream translator produces them.
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

/** A one-block answer: its deltas (plain strings are text) at block 0, then the stop reason and usage. */
export function answerEvents(deltas: readonly (string | ContentBlockDelta)[], stopReason: StopReason, usage: TokenUsage, latencyMs: number): ConverseStreamEvent[] {
  return [
    messageStart,
    ...deltas.map((d) => (typeof d === 'string' ? textDelta(0, d) : delta(0, d))),
    blockStop(0),
    messageStop(stopReason),
    metadata(usage, latencyMs),
  ];
}

/** Every chunk the encoder gives for the events, then its trailing chunks for the metrics. */
export function encodeStream(encoder: FamilyStreamEncoder, events: readonly ConverseStreamEvent[], metrics: InvocationMetrics): unknown[] {
  return [...events.flatMap((event) => encoder.push(event)), ...encoder.finish(metrics)];
}
