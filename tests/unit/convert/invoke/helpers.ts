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

// Converse stream events: the shared builders (tests/helpers/converseEvents.ts).
export { blockStop, delta, messageStart, messageStop, metadata, reasoningDelta, textDelta, toolInputDelta, toolStart } from '../../../helpers/converseEvents.ts';
import { blockStop, delta, messageStart, messageStop, metadata, textDelta } from '../../../helpers/converseEvents.ts';

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
