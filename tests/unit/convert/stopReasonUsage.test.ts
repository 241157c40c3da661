import { expect } from 'chai';
import type { CompletionUsage } from 'openai/resources/completions';
import { decideStopReason, toStopReason } from '../../../app/convert/converse/stopReason.ts';
import type { TurnContent } from '../../../app/convert/converse/stopReason.ts';
import { toTokenUsage } from '../../../app/convert/converse/usage.ts';
import type { StopReason, TokenUsage } from '../../../app/convert/converse/types.ts';

describe('toStopReason', () => {
  const cases: readonly (readonly [string | null | undefined, StopReason])[] = [
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'content_filtered'],
    [null, 'end_turn'],
    [undefined, 'end_turn'],
    ['eos', 'end_turn'],
    ['', 'end_turn'],
  ];
  for (const [finishReason, expected] of cases) {
    it(`maps ${JSON.stringify(finishReason) ?? 'undefined'} to ${expected}`, () => {
      // Act
      const stopReason = toStopReason(finishReason);
      // Assess
      expect(stopReason).to.equal(expected);
    });
  }
});

describe('decideStopReason', () => {
  const text: TurnContent = { text: true, refusal: false, toolUses: 0, malformedToolUse: false };
  const tools: TurnContent = { text: false, refusal: false, toolUses: 2, malformedToolUse: false };
  const brokenTools: TurnContent = { ...tools, malformedToolUse: true };
  const bareRefusal: TurnContent = { text: false, refusal: true, toolUses: 0, malformedToolUse: false };
  const cases: readonly (readonly [string, string | null, TurnContent, StopReason])[] = [
    ['text ended with stop', 'stop', text, 'end_turn'],
    ['text cut by the length limit', 'length', text, 'max_tokens'],
    ['filtered text', 'content_filter', text, 'content_filtered'],
    ['tool calls ended with tool_calls', 'tool_calls', tools, 'tool_use'],
    ['tool calls ended with stop (compatible servers)', 'stop', tools, 'tool_use'],
    ['tool calls with no finish_reason', null, tools, 'tool_use'],
    ['tool calls with an unknown finish_reason', 'eos', tools, 'tool_use'],
    ['filtered tool calls', 'content_filter', tools, 'content_filtered'],
    ['broken tool arguments', 'tool_calls', brokenTools, 'malformed_tool_use'],
    ['broken tool arguments ended with stop', 'stop', brokenTools, 'malformed_tool_use'],
    ['broken tool arguments cut by the length limit', 'length', brokenTools, 'max_tokens'],
    ['a bare refusal', 'stop', bareRefusal, 'content_filtered'],
    ['a refusal after text', 'stop', { ...bareRefusal, text: true }, 'end_turn'],
    ['a refusal next to tool calls', 'stop', { ...bareRefusal, toolUses: 1 }, 'tool_use'],
    ['a refusal cut by the length limit', 'length', bareRefusal, 'max_tokens'],
    ['nothing at all', 'stop', { text: false, refusal: false, toolUses: 0, malformedToolUse: false }, 'end_turn'],
  ];
  for (const [label, finishReason, turn, expected] of cases) {
    it(`answers ${expected} for ${label}`, () => {
      // Act
      const stopReason = decideStopReason(finishReason, turn);
      // Assess
      expect(stopReason).to.equal(expected);
    });
  }
});

describe('toTokenUsage', () => {
  const cases: readonly (readonly [string, CompletionUsage | null | undefined, TokenUsage])[] = [
    ['missing usage', undefined, { inputTokens: 0, outputTokens: 0, totalTokens: 0 }],
    ['null usage', null, { inputTokens: 0, outputTokens: 0, totalTokens: 0 }],
    ['plain usage', { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 }, { inputTokens: 12, outputTokens: 7, totalTokens: 19 }],
    [
      'zero cached tokens (no cache fields)',
      { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19, prompt_tokens_details: { cached_tokens: 0 } },
      { inputTokens: 12, outputTokens: 7, totalTokens: 19 },
    ],
    [
      'cached tokens (excluded from input, kept in total)',
      { prompt_tokens: 2000, completion_tokens: 50, total_tokens: 2050, prompt_tokens_details: { cached_tokens: 1536 } },
      { inputTokens: 464, outputTokens: 50, totalTokens: 2050, cacheReadInputTokens: 1536, cacheWriteInputTokens: 0 },
    ],
    [
      'reasoning tokens (already inside completion_tokens)',
      { prompt_tokens: 5, completion_tokens: 300, total_tokens: 305, completion_tokens_details: { reasoning_tokens: 256 } },
      { inputTokens: 5, outputTokens: 300, totalTokens: 305 },
    ],
    [
      'a missing total (computed from the parts)',
      { prompt_tokens: 3, completion_tokens: 4 } as CompletionUsage,
      { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
    ],
    [
      'more cached than prompt tokens (never negative)',
      { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: { cached_tokens: 20 } },
      { inputTokens: 0, outputTokens: 1, totalTokens: 11, cacheReadInputTokens: 20, cacheWriteInputTokens: 0 },
    ],
  ];
  for (const [label, usage, expected] of cases) {
    it(`maps ${label}`, () => {
      // Act
      const tokens = toTokenUsage(usage);
      // Assess
      expect(tokens).to.deep.equal(expected);
    });
  }
});
