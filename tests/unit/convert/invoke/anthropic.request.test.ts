import { expect } from 'chai';
import { anthropicFamily } from '../../../../app/convert/invoke/anthropic.ts';
import { BedrockError } from '../../../../app/core/errors.ts';
import { ConverseRequest } from '../../../../app/schemas/converse.ts';

const PNG_B64 = 'iVBORw0KGgo=';
const PDF_B64 = 'JVBERi0xLjQK';

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 256,
    messages: [{ role: 'user', content: 'Hi' }],
    ...overrides,
  };
}

function userBlocks(...blocks: unknown[]): Record<string, unknown> {
  return body({ messages: [{ role: 'user', content: blocks }] });
}

function validationMessage(raw: Record<string, unknown>): string {
  try {
    anthropicFamily.toConverse(raw);
  } catch (error) {
    expect(error).to.be.instanceOf(BedrockError);
    expect((error as BedrockError).exception).to.equal('ValidationException');
    return (error as BedrockError).message;
  }
  throw new Error('expected a ValidationException');
}

describe('InvokeModel anthropic: matches', () => {
  const cases: { name: string; body: Record<string, unknown>; modelId: string; expected: boolean }[] = [
    { name: 'anthropic_version on any model', body: { anthropic_version: 'bedrock-2023-05-31' }, modelId: 'amazon.nova-pro-v1:0', expected: true },
    { name: 'messages + max_tokens on a Claude id', body: { messages: [], max_tokens: 1 }, modelId: 'us.anthropic.claude-sonnet-4-v1:0', expected: true },
    { name: 'messages + max_tokens on a claude ARN', body: { messages: [], max_tokens: 1 }, modelId: 'arn:aws:bedrock:us-east-1::foundation-model/claude-x', expected: true },
    { name: 'messages + max_tokens on a non-Claude id', body: { messages: [], max_tokens: 1 }, modelId: 'mistral.mistral-large', expected: false },
    { name: 'messages without max_tokens', body: { messages: [] }, modelId: 'anthropic.claude-v2', expected: false },
    { name: 'a Titan body', body: { inputText: 'x' }, modelId: 'amazon.titan-text-express-v1', expected: false },
    { name: 'a non-string anthropic_version', body: { anthropic_version: 1 }, modelId: 'amazon.titan', expected: false },
  ];
  for (const { name, body: raw, modelId, expected } of cases) {
    it(`${expected ? 'matches' : 'rejects'} ${name}`, () => {
      // Prepare / Act
      const result = anthropicFamily.matches(raw, modelId);
      // Assess
      expect(result).to.equal(expected);
    });
  }
});

describe('InvokeModel anthropic: request -> Converse', () => {
  const cases: { name: string; body: Record<string, unknown>; expected: Record<string, unknown> }[] = [
    {
      name: 'string content and max_tokens only',
      body: body(),
      expected: { messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 256 } },
    },
    {
      name: 'sampling fields (top_k dropped) and stop sequences',
      body: body({ temperature: 0.2, top_p: 0.9, top_k: 40, stop_sequences: ['\n\nHuman:'] }),
      expected: {
        messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
        inferenceConfig: { maxTokens: 256, temperature: 0.2, topP: 0.9, stopSequences: ['\n\nHuman:'] },
      },
    },
    {
      name: 'system string',
      body: body({ system: 'Be brief.' }),
      expected: { messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 256 }, system: [{ text: 'Be brief.' }] },
    },
    {
      name: 'system blocks with cache_control',
      body: body({ system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cache_control: { type: 'ephemeral' } }] }),
      expected: { messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 256 }, system: [{ text: 'A' }, { text: 'B' }] },
    },
    {
      name: 'anthropic_beta, unknown keys and an empty tools list are ignored',
      body: body({ anthropic_beta: ['computer-use-2025-01-24'], service_tier: 'auto', tools: [] }),
      expected: { messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 256 } },
    },
    {
      name: 'thinking budget and metadata.user_id',
      body: body({ thinking: { type: 'enabled', budget_tokens: 2048 }, metadata: { user_id: 'u-42' } }),
      expected: {
        messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
        inferenceConfig: { maxTokens: 256 },
        additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 2048 }, user: 'u-42' },
      },
    },
    {
      name: 'thinking disabled adds nothing',
      body: body({ thinking: { type: 'disabled' } }),
      expected: { messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 256 } },
    },
  ];
  for (const { name, body: raw, expected } of cases) {
    it(`maps ${name}`, () => {
      // Prepare (table) / Act
      const request = anthropicFamily.toConverse(raw);
      // Assess
      expect(request).to.deep.equal(expected);
    });
  }
});

describe('InvokeModel anthropic: content blocks -> Converse', () => {
  const cases: { name: string; block: unknown; expected: unknown[] }[] = [
    { name: 'text with cache_control', block: { type: 'text', text: 'hello', cache_control: { type: 'ephemeral' } }, expected: [{ text: 'hello' }] },
    {
      name: 'base64 image',
      block: { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: PNG_B64 } },
      expected: [{ image: { format: 'webp', source: { bytes: PNG_B64 } } }],
    },
    {
      name: 'pdf document with title',
      block: { type: 'document', title: 'Q3 report', source: { type: 'base64', media_type: 'application/pdf', data: PDF_B64 } },
      expected: [{ document: { format: 'pdf', name: 'Q3 report', source: { bytes: PDF_B64 } } }],
    },
    {
      name: 'text document without title',
      block: { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain words' } },
      expected: [{ document: { format: 'txt', name: 'document', source: { text: 'plain words' } } }],
    },
    {
      name: 'tool_use',
      block: { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
      expected: [{ toolUse: { toolUseId: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } } }],
    },
    {
      name: 'tool_result with string content',
      block: { type: 'tool_result', tool_use_id: 'toolu_01', content: '18C' },
      expected: [{ toolResult: { toolUseId: 'toolu_01', content: [{ text: '18C' }], status: 'success' } }],
    },
    {
      name: 'tool_result with text + image blocks and is_error',
      block: {
        type: 'tool_result',
        tool_use_id: 'toolu_02',
        is_error: true,
        content: [
          { type: 'text', text: 'failed' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_B64 } },
        ],
      },
      expected: [
        {
          toolResult: {
            toolUseId: 'toolu_02',
            content: [{ text: 'failed' }, { image: { format: 'png', source: { bytes: PNG_B64 } } }],
            status: 'error',
          },
        },
      ],
    },
    {
      name: 'tool_result without content',
      block: { type: 'tool_result', tool_use_id: 'toolu_03' },
      expected: [{ toolResult: { toolUseId: 'toolu_03', content: [], status: 'success' } }],
    },
    {
      name: 'thinking with signature',
      block: { type: 'thinking', thinking: 'Let me see.', signature: 'sig==' },
      expected: [{ reasoningContent: { reasoningText: { text: 'Let me see.', signature: 'sig==' } } }],
    },
    { name: 'redacted_thinking (dropped)', block: { type: 'redacted_thinking', data: 'opaque' }, expected: [] },
  ];
  for (const { name, block, expected } of cases) {
    it(`maps ${name}`, () => {
      // Prepare
      const raw = userBlocks(block);
      // Act
      const request = anthropicFamily.toConverse(raw);
      // Assess
      expect(request.messages).to.deep.equal([{ role: 'user', content: expected }]);
    });
  }

  it('keeps roles, order and multi-block messages', () => {
    // Prepare
    const raw = body({
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: '18C' }, { type: 'text', text: 'And?' }] },
      ],
    });
    // Act
    const request = anthropicFamily.toConverse(raw);
    // Assess
    expect(request.messages).to.deep.equal([
      { role: 'user', content: [{ text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } } }],
      },
      {
        role: 'user',
        content: [{ toolResult: { toolUseId: 'toolu_01', content: [{ text: '18C' }], status: 'success' } }, { text: 'And?' }],
      },
    ]);
  });
});

describe('InvokeModel anthropic: tools and tool_choice', () => {
  const weatherTool = {
    name: 'get_weather',
    description: 'Current weather',
    input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  };
  const weatherSpec = {
    toolSpec: {
      name: 'get_weather',
      description: 'Current weather',
      inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    },
  };
  const cases: { name: string; extra: Record<string, unknown>; expected: unknown }[] = [
    { name: 'tools without tool_choice', extra: {}, expected: { tools: [weatherSpec] } },
    { name: 'auto', extra: { tool_choice: { type: 'auto' } }, expected: { tools: [weatherSpec], toolChoice: { auto: {} } } },
    { name: 'any', extra: { tool_choice: { type: 'any', disable_parallel_tool_use: true } }, expected: { tools: [weatherSpec], toolChoice: { any: {} } } },
    { name: 'tool', extra: { tool_choice: { type: 'tool', name: 'get_weather' } }, expected: { tools: [weatherSpec], toolChoice: { tool: { name: 'get_weather' } } } },
    { name: 'none (drops the tools)', extra: { tool_choice: { type: 'none' } }, expected: undefined },
  ];
  for (const { name, extra, expected } of cases) {
    it(`maps tool_choice ${name}`, () => {
      // Prepare
      const raw = body({ tools: [weatherTool], ...extra });
      // Act
      const request = anthropicFamily.toConverse(raw);
      // Assess
      expect(request.toolConfig).to.deep.equal(expected);
    });
  }

  const parallelCases: { name: string; extra: Record<string, unknown>; expected: unknown }[] = [
    { name: 'disable_parallel_tool_use true', extra: { tools: [weatherTool], tool_choice: { type: 'auto', disable_parallel_tool_use: true } }, expected: { parallel_tool_calls: false } },
    { name: 'disable_parallel_tool_use false', extra: { tools: [weatherTool], tool_choice: { type: 'auto', disable_parallel_tool_use: false } }, expected: undefined },
    { name: 'disable_parallel_tool_use without tools', extra: { tool_choice: { type: 'any', disable_parallel_tool_use: true } }, expected: undefined },
  ];
  for (const { name, extra, expected } of parallelCases) {
    it(`maps ${name} to additionalModelRequestFields ${JSON.stringify(expected)}`, () => {
      // Prepare
      const raw = body(extra);
      // Act
      const request = anthropicFamily.toConverse(raw);
      // Assess
      expect(request.additionalModelRequestFields).to.deep.equal(expected);
    });
  }

  it('accepts an explicit custom tool type and a tool without description', () => {
    // Prepare
    const raw = body({ tools: [{ type: 'custom', name: 'noop', input_schema: { type: 'object' } }] });
    // Act
    const request = anthropicFamily.toConverse(raw);
    // Assess
    expect(request.toolConfig).to.deep.equal({ tools: [{ toolSpec: { name: 'noop', inputSchema: { json: { type: 'object' } } } }] });
  });
});

describe('InvokeModel anthropic: validation errors name the field', () => {
  const image = (source: unknown) => ({ type: 'image', source });
  const cases: { name: string; body: Record<string, unknown>; field: string; detail: string }[] = [
    { name: 'missing max_tokens', body: { anthropic_version: 'bedrock-2023-05-31', messages: [{ role: 'user', content: 'Hi' }] }, field: 'max_tokens', detail: 'expected number' },
    { name: 'max_tokens of 0', body: body({ max_tokens: 0 }), field: 'max_tokens', detail: '' },
    { name: 'empty messages', body: body({ messages: [] }), field: 'messages', detail: '' },
    { name: 'a system role message', body: body({ messages: [{ role: 'system', content: 'x' }] }), field: 'messages[0].role', detail: '' },
    {
      name: 'bad image media_type',
      body: userBlocks(image({ type: 'base64', media_type: 'image/bmp', data: PNG_B64 })),
      field: 'messages[0].content[0].source.media_type',
      detail: 'image/png',
    },
    {
      name: 'url image source',
      body: userBlocks(image({ type: 'url', url: 'https://example.com/cat.png' })),
      field: 'messages[0].content[0].source.type',
      detail: 'image source type "url" is not supported',
    },
    {
      name: 'non-base64 image data',
      body: userBlocks(image({ type: 'base64', media_type: 'image/png', data: 'not base64!' })),
      field: 'messages[0].content[0].source.data',
      detail: 'base64',
    },
    {
      name: 'a docx document',
      body: userBlocks({ type: 'document', source: { type: 'base64', media_type: 'application/msword', data: PDF_B64 } }),
      field: 'messages[0].content[0].source.media_type',
      detail: '',
    },
    {
      name: 'an unknown content block type',
      body: userBlocks({ type: 'search_result', source: 'x' }),
      field: 'messages[0].content[0].type',
      detail: 'content block type must be one of',
    },
    {
      name: 'a server tool',
      body: body({ tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] }),
      field: 'tools[0].type',
      detail: 'server tool "web_search_20250305" is not supported',
    },
    { name: 'a custom tool without input_schema', body: body({ tools: [{ name: 'noop' }] }), field: 'tools[0].input_schema', detail: '' },
    { name: 'tool_choice tool without name', body: body({ tool_choice: { type: 'tool' } }), field: 'tool_choice.name', detail: '' },
    { name: 'temperature above 1', body: body({ temperature: 1.5 }), field: 'temperature', detail: '' },
  ];
  for (const { name, body: raw, field, detail } of cases) {
    it(`rejects ${name}`, () => {
      // Prepare (table) / Act
      const message = validationMessage(raw);
      // Assess
      expect(message).to.include(`${field}:`);
      expect(message).to.include(detail);
    });
  }
});

describe('InvokeModel anthropic: output is a valid Converse request', () => {
  it('passes the Converse schema for a body using every mapped field', () => {
    // Prepare
    const raw = body({
      system: [{ type: 'text', text: 'sys' }],
      temperature: 0.5,
      top_p: 0.5,
      stop_sequences: ['END'],
      thinking: { type: 'enabled', budget_tokens: 1024 },
      metadata: { user_id: 'u' },
      tools: [{ name: 't', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_B64 } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF_B64 } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hm', signature: 's' },
            { type: 'tool_use', id: 'toolu_1', name: 't', input: {} },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
      ],
    });
    // Act
    const result = ConverseRequest.safeParse(anthropicFamily.toConverse(raw));
    // Assess
    expect(result.success, JSON.stringify(result.error?.issues)).to.equal(true);
  });
});
