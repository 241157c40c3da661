import { expect } from 'chai';
import { converseToChat } from '../../../app/convert/converse/request.ts';
import type { ConverseToChatOptions } from '../../../app/convert/converse/request.ts';
import type { BedrockError } from '../../../app/core/errors.ts';
import { ConverseRequest } from '../../../app/schemas/converse.ts';
import { parseWith } from '../../../app/schemas/validate.ts';
import { thrownBedrockError } from '../../helpers/bedrockErrors.ts';

const MODEL = 'gpt-test';
const PNG = 'iVBORw0KGgo=';
const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

type Body = Record<string, unknown>;
const user = (...content: unknown[]) => ({ role: 'user', content });
const assistant = (...content: unknown[]) => ({ role: 'assistant', content });
const hello = user({ text: 'hello' });

/** Goes through the real schema first, so every input here is one the gateway can actually receive. */
function convert(body: Body, options?: ConverseToChatOptions) {
  return converseToChat(parseWith(ConverseRequest, body), MODEL, options);
}

function rejectionOf(body: Body, options?: ConverseToChatOptions): BedrockError {
  return thrownBedrockError(() => convert(body, options));
}

function expectValidation(body: Body, ...fragments: string[]): void {
  // Act
  const error = rejectionOf(body);
  // Assess
  expect(error.exception).to.equal('ValidationException');
  expect(error.status).to.equal(400);
  for (const fragment of fragments) expect(error.message).to.contain(fragment);
}

describe('Converse -> Chat: envelope', () => {
  it('sets the upstream model and leaves streaming to the caller', () => {
    // Prepare
    const body = { messages: [hello] };
    // Act
    const params = convert(body);
    // Assess
    expect(params).to.deep.equal({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }] });
    expect(params).not.to.have.any.keys('stream', 'stream_options');
  });

  for (const [label, body] of [
    ['missing', {}],
    ['empty', { messages: [] }],
  ] as const) {
    it(`rejects ${label} messages`, () => {
      expectValidation(body, 'messages must contain at least one message');
    });
  }

  it('rejects a conversation that is empty once blank blocks are dropped', () => {
    expectValidation({ messages: [user({ text: '  ' }, { cachePoint: { type: 'default' } })] }, 'at least one non-empty message');
  });
});

describe('Converse -> Chat: system prompts and history', () => {
  it('joins system[] text blocks in order into the first message, dropping cache points and blanks', () => {
    // Prepare
    const body = {
      system: [{ text: 'You are terse.' }, { cachePoint: { type: 'default' } }, { text: ' ' }, { text: 'Answer in French.' }],
      messages: [hello],
    };
    // Act
    const { messages } = convert(body);
    // Assess
    expect(messages[0]).to.deep.equal({ role: 'system', content: 'You are terse.\nAnswer in French.' });
    expect(messages).to.have.length(2);
  });

  it('keeps role:"system" messages in place and preserves multi-turn order', () => {
    // Prepare
    const body = {
      system: [{ text: 'top' }],
      messages: [hello, assistant({ text: 'hi there' }), { role: 'system', content: [{ text: 'be brief' }] }, user({ text: 'bye' })],
    };
    // Act
    const { messages } = convert(body);
    // Assess
    expect(messages).to.deep.equal([
      { role: 'system', content: 'top' },
      { role: 'user', content: [{ type: 'text', text: 'hello' }] },
      { role: 'assistant', content: 'hi there' },
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'bye' }] },
    ]);
  });

  it('rejects guardContent in system[]', () => {
    expectValidation({ system: [{ guardContent: { text: { text: 'x' } } }], messages: [hello] }, 'system[0]', 'guardContent');
  });

  it('rejects non-text content in a role:"system" message', () => {
    const body = { messages: [{ role: 'system', content: [{ image: { format: 'png', source: { bytes: PNG } } }] }, hello] };
    expectValidation(body, 'messages[0].content[0].image', 'only text');
  });
});

describe('Converse -> Chat: text blocks', () => {
  it('sends user text as text parts and assistant text as a string joined with newlines', () => {
    // Prepare
    const body = { messages: [user({ text: 'a' }, { text: 'b' }), assistant({ text: 'c' }, { text: 'd' }), user({ text: 'e' })] };
    // Act
    const { messages } = convert(body);
    // Assess
    expect(messages.slice(0, 2)).to.deep.equal([
      { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      { role: 'assistant', content: 'c\nd' },
    ]);
  });

  for (const blank of ['', ' ', '\n\t ']) {
    it(`drops the blank text block ${JSON.stringify(blank)} and any message it leaves empty`, () => {
      // Prepare
      const body = { messages: [user({ text: blank }, { text: 'kept' }), assistant({ text: blank }), user({ text: 'next' })] };
      // Act
      const { messages } = convert(body);
      // Assess
      expect(messages).to.deep.equal([
        { role: 'user', content: [{ type: 'text', text: 'kept' }] },
        { role: 'user', content: [{ type: 'text', text: 'next' }] },
      ]);
    });
  }

  it('keeps an assistant message whose only content is tool calls', () => {
    // Prepare
    const body = { messages: [hello, assistant({ text: ' ' }, { toolUse: { toolUseId: 't1', name: 'f', input: { a: 1 } } })] };
    // Act
    const { messages } = convert(body);
    // Assess
    expect(messages[1]).to.deep.equal({
      role: 'assistant',
      tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
    });
  });
});

describe('Converse -> Chat: images', () => {
  for (const format of ['png', 'jpeg', 'gif', 'webp']) {
    it(`maps ${format} bytes to a data URL`, () => {
      // Prepare
      const body = { messages: [user({ image: { format, source: { bytes: PNG } } })] };
      // Act
      const { messages } = convert(body);
      // Assess
      expect(messages[0]).to.deep.equal({
        role: 'user',
        content: [{ type: 'image_url', image_url: { url: `data:image/${format};base64,${PNG}` } }],
      });
    });
  }

  it('rejects images in assistant messages, naming the field', () => {
    const body = { messages: [hello, assistant({ image: { format: 'png', source: { bytes: PNG } } })] };
    expectValidation(body, 'messages[1].content[0].image', 'assistant');
  });

  it('rejects S3 image sources, naming the field', () => {
    const body = { messages: [user({ text: 'x' }, { image: { format: 'png', source: { s3Location: { uri: 's3://b/k.png' } } } })] };
    expectValidation(body, 'messages[0].content[1].image.source.s3Location', 'not supported');
  });
});

describe('Converse -> Chat: documents', () => {
  const document = (doc: Body) => ({ messages: [user({ document: { name: 'report', ...doc } })] });
  const firstPart = (body: Body) => {
    const [message] = convert(body).messages;
    return message?.role === 'user' && Array.isArray(message.content) ? message.content[0] : undefined;
  };

  it('sends pdf bytes as a file part', () => {
    // Prepare
    const body = document({ format: 'pdf', source: { bytes: PNG } });
    // Act
    const part = firstPart(body);
    // Assess
    expect(part).to.deep.equal({ type: 'file', file: { filename: 'report', file_data: `data:application/pdf;base64,${PNG}` } });
  });

  for (const format of ['txt', 'md', 'csv', 'html']) {
    it(`inlines ${format} bytes as decoded UTF-8 text`, () => {
      // Prepare
      const body = document({ format, source: { bytes: base64('héllo, wörld') } });
      // Act
      const part = firstPart(body);
      // Assess
      expect(part).to.deep.equal({ type: 'text', text: `Document "report" (${format}):\nhéllo, wörld` });
    });
  }

  for (const [label, source, expected] of [
    ['source.text', { text: 'plain words' }, 'plain words'],
    ['source.content[].text', { content: [{ text: 'one' }, { text: 'two' }] }, 'one\ntwo'],
  ] as const) {
    it(`uses ${label} directly`, () => {
      // Prepare
      const body = document({ format: 'md', source });
      // Act
      const part = firstPart(body);
      // Assess
      expect(part).to.deep.equal({ type: 'text', text: `Document "report" (md):\n${expected}` });
    });
  }

  for (const format of ['doc', 'docx', 'xls', 'xlsx']) {
    it(`rejects ${format} bytes, naming the format and field`, () => {
      expectValidation(document({ format, source: { bytes: PNG } }), 'messages[0].content[0].document.format', format);
    });
  }

  it('rejects bytes without a format', () => {
    expectValidation(document({ source: { bytes: PNG } }), 'messages[0].content[0].document.format', 'format is required');
  });

  it('rejects S3 document sources', () => {
    expectValidation(document({ format: 'pdf', source: { s3Location: { uri: 's3://b/k' } } }), 'messages[0].content[0].document.source.s3Location');
  });

  it('rejects text-format bytes that are not UTF-8', () => {
    expectValidation(document({ format: 'txt', source: { bytes: '//79' } }), 'messages[0].content[0].document.source.bytes', 'UTF-8');
  });

  it('rejects documents in assistant messages', () => {
    const body = { messages: [hello, assistant({ document: { name: 'r', format: 'txt', source: { text: 'x' } } })] };
    expectValidation(body, 'messages[1].content[0].document', 'assistant');
  });
});

describe('Converse -> Chat: tool configuration', () => {
  const weather = { toolSpec: { name: 'weather', description: 'Get weather', inputSchema: { json: { type: 'object' } }, strict: true } };
  const bare = { toolSpec: { name: 'bare', inputSchema: { json: { type: 'object', properties: {} } } } };

  it('maps toolSpecs to function tools, omitting undefined keys and dropping cache points', () => {
    // Prepare
    const body = { messages: [hello], toolConfig: { tools: [weather, { cachePoint: { type: 'default' } }, bare] } };
    // Act
    const params = convert(body);
    // Assess
    expect(params.tools).to.deep.equal([
      { type: 'function', function: { name: 'weather', description: 'Get weather', parameters: { type: 'object' }, strict: true } },
      { type: 'function', function: { name: 'bare', parameters: { type: 'object', properties: {} } } },
    ]);
    expect(params).not.to.have.property('tool_choice');
  });

  for (const [choice, expected] of [
    [{ auto: {} }, 'auto'],
    [{ any: {} }, 'required'],
    [{ tool: { name: 'bare' } }, { type: 'function', function: { name: 'bare' } }],
  ] as const) {
    it(`maps toolChoice ${Object.keys(choice)[0]}`, () => {
      // Prepare
      const body = { messages: [hello], toolConfig: { tools: [weather, bare], toolChoice: choice } };
      // Act
      const params = convert(body);
      // Assess
      expect(params.tool_choice).to.deep.equal(expected);
    });
  }

  it('rejects a toolChoice naming an undeclared tool', () => {
    const body = { messages: [hello], toolConfig: { tools: [weather], toolChoice: { tool: { name: 'nope' } } } };
    expectValidation(body, 'toolConfig.toolChoice.tool.name', 'nope');
  });

  it('rejects system tools', () => {
    const body = { messages: [hello], toolConfig: { tools: [weather, { systemTool: { name: 'nova_grounding' } }] } };
    expectValidation(body, 'toolConfig.tools[1].systemTool', 'not supported');
  });
});

describe('Converse -> Chat: tool use and tool results', () => {
  const call = (toolUseId: string, input?: unknown) => ({ toolUse: { toolUseId, name: 'lookup', input } });
  const result = (toolUseId: string, content: unknown[], status?: string) => ({ toolResult: { toolUseId, content, status } });
  const history = (...userContent: unknown[]) => ({ messages: [hello, assistant(call('t1', { q: 1 })), user(...userContent)] });

  it('puts assistant toolUse blocks in tool_calls and the same turn text in content', () => {
    // Prepare
    const body = { messages: [hello, assistant({ text: 'Looking.' }, call('t1', { q: 'x' }), call('t2'))] };
    // Act
    const { messages } = convert(body);
    // Assess
    expect(messages[1]).to.deep.equal({
      role: 'assistant',
      content: 'Looking.',
      tool_calls: [
        { id: 't1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } },
        { id: 't2', type: 'function', function: { name: 'lookup', arguments: '{}' } },
      ],
    });
  });

  it('emits tool messages before the rest of the user turn', () => {
    // Prepare
    const body = history({ text: 'thanks' }, result('t1', [{ text: 'sunny' }]));
    // Act
    const { messages } = convert(body);
    // Assess
    expect(messages.slice(2)).to.deep.equal([
      { role: 'tool', tool_call_id: 't1', content: 'sunny' },
      { role: 'user', content: [{ type: 'text', text: 'thanks' }] },
    ]);
  });

  it('joins text and stringified json results with newlines', () => {
    // Prepare
    const body = history(result('t1', [{ text: 'line' }, { json: { temp: 21, unit: 'C' } }]));
    // Act
    const { messages } = convert(body);
    // Assess
    expect(messages[2]).to.deep.equal({ role: 'tool', tool_call_id: 't1', content: 'line\n{"temp":21,"unit":"C"}' });
  });

  it('keeps error results visible with a [tool error] prefix', () => {
    // Prepare
    const body = history(result('t1', [{ text: 'timeout' }], 'error'));
    // Act
    const { messages } = convert(body);
    // Assess
    expect(messages[2]).to.deep.equal({ role: 'tool', tool_call_id: 't1', content: '[tool error] timeout' });
  });

  it('moves images from a tool result into a labelled user message right after the tool messages', () => {
    // Prepare
    const body = history(result('t1', [{ text: 'chart' }, { image: { format: 'png', source: { bytes: PNG } } }]), { text: 'see?' });
    // Act
    const { messages } = convert(body);
    // Assess
    expect(messages.slice(2)).to.deep.equal([
      { role: 'tool', tool_call_id: 't1', content: 'chart' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Images returned by tool t1:' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'see?' }] },
    ]);
  });

  it('moves documents from a tool result too, labelled as files', () => {
    // Prepare
    const body = history(result('t1', [{ document: { name: 'out', format: 'pdf', source: { bytes: PNG } } }]));
    // Act
    const { messages } = convert(body);
    // Assess
    expect(messages.slice(2)).to.deep.equal([
      { role: 'tool', tool_call_id: 't1', content: '' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Files returned by tool t1:' },
          { type: 'file', file: { filename: 'out', file_data: `data:application/pdf;base64,${PNG}` } },
        ],
      },
    ]);
  });

  it('rejects unsupported content inside a tool result, naming it', () => {
    expectValidation(history(result('t1', [{ video: { format: 'mp4' } }])), 'messages[2].content[0].toolResult.content[0]: video content is not supported');
  });

  it('rejects toolUse in a user message', () => {
    expectValidation({ messages: [user(call('t1'))] }, 'messages[0].content[0].toolUse', 'assistant');
  });

  it('rejects toolResult in an assistant message', () => {
    expectValidation({ messages: [hello, assistant(result('t1', [{ text: 'x' }]))] }, 'messages[1].content[0].toolResult', 'user');
  });
});

describe('Converse -> Chat: dropped and unsupported blocks', () => {
  it('drops reasoningContent and cachePoint blocks silently', () => {
    // Prepare
    const reasoning = { reasoningContent: { reasoningText: { text: 'hmm', signature: 'sig' } } };
    const body = { messages: [user({ text: 'q' }, { cachePoint: { type: 'default' } }), assistant(reasoning, { text: 'a' }), user({ text: 'q2' })] };
    // Act
    const { messages } = convert(body);
    // Assess
    expect(messages).to.deep.equal([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', content: 'a' },
      { role: 'user', content: [{ type: 'text', text: 'q2' }] },
    ]);
  });

  for (const kind of ['video', 'audio', 'guardContent', 'citationsContent', 'searchResult', 'toolAddition', 'toolRemoval']) {
    it(`rejects ${kind} blocks, naming the kind and index`, () => {
      const body = { messages: [hello, assistant({ text: 'ok' }), user({ [kind]: { any: 'thing' } })] };
      expectValidation(body, `messages[2].content[0]: ${kind} content is not supported by this gateway`);
    });
  }
});

describe('Converse -> Chat: inferenceConfig', () => {
  it('maps maxTokens, temperature, topP and stopSequences', () => {
    // Prepare
    const body = { messages: [hello], inferenceConfig: { maxTokens: 256, temperature: 0.2, topP: 0.9, stopSequences: ['END', '', 'STOP'] } };
    // Act
    const params = convert(body);
    // Assess
    expect(params).to.include({ max_completion_tokens: 256, temperature: 0.2, top_p: 0.9 });
    expect(params.stop).to.deep.equal(['END', 'STOP']);
  });

  it('omits stop when only empty strings were given', () => {
    // Prepare
    const body = { messages: [hello], inferenceConfig: { stopSequences: ['', ''] } };
    // Act
    const params = convert(body);
    // Assess
    expect(params).not.to.have.property('stop');
  });

  it('rejects more stop sequences than the limit, naming the field and limit', () => {
    expectValidation({ messages: [hello], inferenceConfig: { stopSequences: ['a', 'b', 'c', 'd', 'e'] } }, 'inferenceConfig.stopSequences', '4');
  });

  it('honours a configured maxStopSequences', () => {
    // Prepare
    const body = { messages: [hello], inferenceConfig: { stopSequences: ['a', 'b', 'c', 'd', 'e'] } };
    // Act
    const params = convert(body, { maxStopSequences: 8 });
    const error = rejectionOf(body, { maxStopSequences: 2 });
    // Assess
    expect(params.stop).to.have.length(5);
    expect(error.message).to.contain('at most 2');
  });
});

describe('Converse -> Chat: additionalModelRequestFields', () => {
  const withFields = (fields: Body, extra: Body = {}) => convert({ messages: [hello], additionalModelRequestFields: fields, ...extra });

  for (const [key, value] of [
    ['reasoning_effort', 'low'], ['verbosity', 'high'], ['seed', 7], ['frequency_penalty', 0.5], ['presence_penalty', -0.5],
    ['logit_bias', { '50256': -100 }], ['logprobs', true], ['top_logprobs', 3], ['parallel_tool_calls', false],
    ['service_tier', 'flex'], ['user', 'u-1'], ['n', 1], ['prediction', { type: 'content', content: 'x' }],
    ['modalities', ['text']], ['store', false], ['metadata', { team: 'a' }], ['web_search_options', { search_context_size: 'low' }],
  ] as const) {
    it(`passes ${key} through`, () => {
      // Act
      const params = withFields({ [key]: value });
      // Assess
      expect(params).to.have.deep.property(key, value);
    });
  }

  it('rejects n other than 1', () => {
    expectValidation({ messages: [hello], additionalModelRequestFields: { n: 2 } }, 'additionalModelRequestFields.n');
  });

  for (const [budget, effort] of [[512, 'low'], [1024, 'low'], [1025, 'medium'], [2048, 'medium'], [2049, 'high'], [32000, 'high']] as const) {
    it(`maps thinking.budget_tokens ${budget} to reasoning_effort ${effort}`, () => {
      // Act
      const params = withFields({ thinking: { type: 'enabled', budget_tokens: budget } });
      // Assess
      expect(params.reasoning_effort).to.equal(effort);
    });
  }

  it('maps disabled thinking to nothing', () => {
    // Act
    const params = withFields({ thinking: { type: 'disabled', budget_tokens: 4096 } });
    // Assess
    expect(params).not.to.have.property('reasoning_effort');
  });

  it('rejects a non-numeric thinking budget', () => {
    expectValidation({ messages: [hello], additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 'lots' } } }, 'thinking.budget_tokens');
  });

  for (const [label, fields] of [
    ['reasoningConfig.maxReasoningEffort', { reasoningConfig: { type: 'enabled', maxReasoningEffort: 'medium' } }],
    ['output_config.effort', { output_config: { effort: 'medium' } }],
    ['outputConfig.effort', { outputConfig: { effort: 'medium' } }],
  ] as const) {
    it(`maps ${label} to reasoning_effort directly`, () => {
      // Act
      const params = withFields(fields);
      // Assess
      expect(params.reasoning_effort).to.equal('medium');
    });
  }

  it('prefers an explicit reasoning_effort over mapped keys', () => {
    // Act
    const params = withFields({ reasoning_effort: 'minimal', thinking: { type: 'enabled', budget_tokens: 8000 }, output_config: { effort: 'high' } });
    // Assess
    expect(params.reasoning_effort).to.equal('minimal');
  });

  it('lets the first-class outputConfig.effort win over additional fields', () => {
    // Act
    const params = withFields({ reasoning_effort: 'low' }, { outputConfig: { effort: 'high' } });
    // Assess
    expect(params.reasoning_effort).to.equal('high');
  });

  it('rejects an unknown effort value, naming the field', () => {
    expectValidation({ messages: [hello], additionalModelRequestFields: { reasoningConfig: { maxReasoningEffort: 'extreme' } } }, 'reasoningConfig.maxReasoningEffort');
  });

  it('drops Bedrock-only and unknown keys', () => {
    // Act
    const params = withFields({ top_k: 40, anthropic_beta: ['x'], anthropic_version: 'bedrock-2023-05-31', mystery: 1 });
    // Assess
    expect(Object.keys(params).sort()).to.deep.equal(['messages', 'model']);
  });

  it('never lets additional fields override inferenceConfig', () => {
    // Act
    const params = withFields({ temperature: 1.5, max_tokens: 10, max_completion_tokens: 10, stop: ['x'] }, { inferenceConfig: { temperature: 0.1, maxTokens: 99 } });
    // Assess
    expect(params).to.include({ temperature: 0.1, max_completion_tokens: 99 });
    expect(params).not.to.have.any.keys('max_tokens', 'stop');
  });

  it('lets serviceTier win over service_tier', () => {
    // Act
    const params = withFields({ service_tier: 'flex' }, { serviceTier: { type: 'priority' } });
    // Assess
    expect(params.service_tier).to.equal('priority');
  });
});

describe('Converse -> Chat: outputConfig.textFormat', () => {
  const format = (jsonSchema: Body) => ({ messages: [hello], outputConfig: { textFormat: { type: 'json_schema', structure: { jsonSchema } } } });

  it('maps a json_schema text format to response_format with strict: true', () => {
    // Prepare
    const body = format({ schema: '{"type":"object","properties":{"a":{"type":"string"}}}', name: 'answer', description: 'The answer' });
    // Act
    const params = convert(body);
    // Assess
    expect(params.response_format).to.deep.equal({
      type: 'json_schema',
      json_schema: { name: 'answer', description: 'The answer', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true },
    });
  });

  it('defaults the name to "response" and omits a missing description', () => {
    // Act
    const params = convert(format({ schema: '{"type":"object"}' }));
    // Assess
    expect(params.response_format).to.deep.equal({ type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' }, strict: true } });
  });

  for (const [label, schema] of [['an unparseable', '{not json'], ['a non-object', '[1,2]']] as const) {
    it(`rejects ${label} schema, naming the field`, () => {
      expectValidation(format({ schema }), 'outputConfig.textFormat.structure.jsonSchema.schema');
    });
  }
});

describe('Converse -> Chat: service tier, metadata and unsupported features', () => {
  for (const [type, tier] of [['default', 'default'], ['priority', 'priority'], ['flex', 'flex']] as const) {
    it(`maps serviceTier ${type} to service_tier ${tier}`, () => {
      // Act
      const params = convert({ messages: [hello], serviceTier: { type } });
      // Assess
      expect(params.service_tier).to.equal(tier);
    });
  }

  it('drops the reserved tier', () => {
    // Act
    const params = convert({ messages: [hello], serviceTier: { type: 'reserved' } });
    // Assess
    expect(params).not.to.have.property('service_tier');
  });

  it('rejects an unknown tier', () => {
    expectValidation({ messages: [hello], serviceTier: { type: 'gold' } }, 'serviceTier.type');
  });

  it('drops requestMetadata, performanceConfig and empty guardrail/prompt-variable objects', () => {
    // Prepare
    const body = { messages: [hello], requestMetadata: { team: 'a' }, performanceConfig: { latency: 'optimized' }, guardrailConfig: {}, promptVariables: {} };
    // Act
    const params = convert(body);
    // Assess
    expect(Object.keys(params).sort()).to.deep.equal(['messages', 'model']);
  });

  it('rejects a guardrailConfig rather than running unguarded', () => {
    const body = { messages: [hello], guardrailConfig: { guardrailIdentifier: 'g', guardrailVersion: '1' } };
    expectValidation(body, 'guardrailConfig', 'guardrails are not supported');
  });

  it('rejects promptVariables', () => {
    expectValidation({ messages: [hello], promptVariables: { city: { text: 'Paris' } } }, 'promptVariables', 'prompt variables are not supported');
  });
});

describe('Converse -> Chat: a multi-turn tool-use conversation', () => {
  it('produces the exact OpenAI message array', () => {
    // Prepare
    const body = {
      system: [{ text: 'Use tools.' }],
      messages: [
        user({ text: 'Weather in Paris and a chart for Berlin?' }),
        assistant(
          { text: 'Checking both.' },
          { toolUse: { toolUseId: 'call_1', name: 'weather', input: { city: 'Paris' } } },
          { toolUse: { toolUseId: 'call_2', name: 'chart', input: { city: 'Berlin' } } },
        ),
        user(
          { toolResult: { toolUseId: 'call_1', status: 'error', content: [{ text: 'service unavailable' }] } },
          { toolResult: { toolUseId: 'call_2', content: [{ json: { max: 24 } }, { image: { format: 'png', source: { bytes: PNG } } }] } },
          { text: 'Summarise please.' },
        ),
        assistant({ text: 'Paris failed; Berlin peaks at 24.' }),
      ],
      toolConfig: {
        tools: [
          { toolSpec: { name: 'weather', inputSchema: { json: { type: 'object' } } } },
          { toolSpec: { name: 'chart', inputSchema: { json: { type: 'object' } } } },
        ],
      },
    };
    // Act
    const { messages } = convert(body);
    // Assess
    expect(messages).to.deep.equal([
      { role: 'system', content: 'Use tools.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and a chart for Berlin?' }] },
      {
        role: 'assistant',
        content: 'Checking both.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'chart', arguments: '{"city":"Berlin"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '[tool error] service unavailable' },
      { role: 'tool', tool_call_id: 'call_2', content: '{"max":24}' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Images returned by tool call_2:' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'Summarise please.' }] },
      { role: 'assistant', content: 'Paris failed; Berlin peaks at 24.' },
    ]);
  });
});
