import { expect } from 'chai';
import { z } from 'zod';
import { ConverseRequest } from '../../../app/schemas/converse.ts';
import { formatPath, parseJsonBody, parseWith } from '../../../app/schemas/validate.ts';
import { thrownBedrockError } from '../../helpers/bedrockErrors.ts';

const encode = (text: string) => new TextEncoder().encode(text);
const PNG_BASE64 = Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64');

const userText = (content: unknown[]) => ({ messages: [{ role: 'user', content }] });

describe('parseJsonBody', () => {
  it('turns an empty body into {}', () => {
    // Act
    const value = parseJsonBody(new Uint8Array(0));
    // Assess
    expect(value).to.deep.equal({});
  });

  it('parses a JSON body', () => {
    // Act
    const value = parseJsonBody(encode('{"messages":[{"role":"user","content":[{"text":"héllo"}]}]}'));
    // Assess
    expect(value).to.deep.equal({ messages: [{ role: 'user', content: [{ text: 'héllo' }] }] });
  });

  it('reads only its own bytes of a view into a larger buffer (as adapters pass pooled Buffers)', () => {
    // Prepare: invalid UTF-8 and other JSON on both sides of the body
    const whole = Buffer.concat([Buffer.from([0xff, 0x7b]), encode('{"a":"é"}'), Buffer.from([0x7d, 0xfe])]);
    const body = whole.subarray(2, whole.length - 2);
    // Act
    const value = parseJsonBody(body);
    // Assess
    expect(value).to.deep.equal({ a: 'é' });
  });

  const bad: readonly (readonly [string, Uint8Array, string])[] = [
    ['malformed JSON', encode('{"messages": ['), 'not valid JSON'],
    ['a trailing comma', encode('{"a":1,}'), 'not valid JSON'],
    ['plain text', encode('hello'), 'not valid JSON'],
    ['non-UTF-8 bytes', Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'not valid UTF-8'],
    ['a truncated UTF-8 sequence', Uint8Array.from([0x22, 0xe2, 0x82, 0x22]), 'not valid UTF-8'],
  ];
  for (const [label, body, fragment] of bad) {
    it(`rejects ${label} with a 400 ValidationException`, () => {
      // Act
      const error = thrownBedrockError(() => parseJsonBody(body));
      // Assess
      expect(error.exception).to.equal('ValidationException');
      expect(error.status).to.equal(400);
      expect(error.message).to.include(fragment);
    });
  }
});

describe('formatPath', () => {
  const cases: readonly (readonly [readonly PropertyKey[], string])[] = [
    [[], 'body'],
    [['messages'], 'messages'],
    [['messages', 0, 'content', 1, 'text'], 'messages[0].content[1].text'],
    [[0], '[0]'],
    [['a', 'b'], 'a.b'],
  ];
  for (const [path, expected] of cases) {
    it(`formats ${JSON.stringify(path)} as ${expected}`, () => {
      // Act
      const formatted = formatPath(path);
      // Assess
      expect(formatted).to.equal(expected);
    });
  }
});

describe('parseWith(ConverseRequest): accepted bodies', () => {
  const cases: readonly (readonly [string, unknown])[] = [
    ['an empty body', {}],
    ['a text message', userText([{ text: 'hi' }])],
    ['an image block', userText([{ image: { format: 'png', source: { bytes: PNG_BASE64 } } }])],
    ['a system role message', { messages: [{ role: 'system', content: [{ text: 'be brief' }] }] }],
    ['a cachePoint block', userText([{ text: 'hi' }, { cachePoint: { type: 'default' } }])],
    ['unknown top-level fields (forward compatible)', { ...userText([{ text: 'hi' }]), someNewField: 1 }],
    [
      'a tool round trip',
      {
        messages: [
          { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Paris' } } }] },
          { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ json: { temp: 20 } }], status: 'success' } }] },
        ],
        toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }], toolChoice: { auto: {} } },
      },
    ],
  ];
  for (const [label, body] of cases) {
    it(`accepts ${label}`, () => {
      // Act
      const parsed = parseWith(ConverseRequest, body);
      // Assess
      expect(parsed).to.deep.equal(body);
    });
  }
});

describe('parseWith(ConverseRequest): each problem names its field', () => {
  const cases: readonly (readonly [string, unknown, string])[] = [
    ['messages that is not an array', { messages: 'hi' }, 'messages'],
    ['a message that is not an object', { messages: ['hi'] }, 'messages[0]'],
    ['an unknown role', { messages: [{ role: 'robot', content: [{ text: 'hi' }] }] }, 'messages[0].role'],
    ['a missing content', { messages: [{ role: 'user' }] }, 'messages[0].content'],
    ['text that is a number', userText([{ text: 5 }]), 'messages[0].content[0].text'],
    ['a content block with two members', userText([{ text: 'hi', image: { format: 'png', source: { bytes: PNG_BASE64 } } }]), 'messages[0].content[0]'],
    ['a content block with zero members', userText([{}]), 'messages[0].content[0]'],
    ['a content block with an unknown member', userText([{ txt: 'hi' }]), 'messages[0].content[0]'],
    ['invalid base64 in image bytes', userText([{ image: { format: 'png', source: { bytes: 'not base64!!' } } }]), 'messages[0].content[0].image.source.bytes'],
    ['a bad image format', userText([{ image: { format: 'bmp', source: { bytes: PNG_BASE64 } } }]), 'messages[0].content[0].image.format'],
    [
      'a second message with a bad block',
      { messages: [{ role: 'user', content: [{ text: 'ok' }] }, { role: 'assistant', content: [{ text: 'ok' }, { text: false }] }] },
      'messages[1].content[1].text',
    ],
    ['a toolUse without a name', userText([{ toolUse: { toolUseId: 't1', input: {} } }]), 'messages[0].content[0].toolUse.name'],
    ['a toolResult with a bad status', userText([{ toolResult: { toolUseId: 't1', content: [], status: 'maybe' } }]), 'messages[0].content[0].toolResult.status'],
    ['maxTokens as a string', { inferenceConfig: { maxTokens: '10' } }, 'inferenceConfig.maxTokens'],
    ['maxTokens of zero', { inferenceConfig: { maxTokens: 0 } }, 'inferenceConfig.maxTokens'],
    ['a fractional maxTokens', { inferenceConfig: { maxTokens: 1.5 } }, 'inferenceConfig.maxTokens'],
    ['topP above 1', { inferenceConfig: { topP: 1.5 } }, 'inferenceConfig.topP'],
    ['stopSequences with a number', { inferenceConfig: { stopSequences: ['a', 1] } }, 'inferenceConfig.stopSequences[1]'],
    ['a system block with two members', { system: [{ text: 'a', cachePoint: { type: 'default' } }] }, 'system[0]'],
    ['an empty tools list', { toolConfig: { tools: [] } }, 'toolConfig.tools'],
    ['a toolSpec without inputSchema', { toolConfig: { tools: [{ toolSpec: { name: 'f' } }] } }, 'toolConfig.tools[0].toolSpec.inputSchema'],
    [
      'a toolChoice with two members',
      { toolConfig: { tools: [{ toolSpec: { name: 'f', inputSchema: { json: {} } } }], toolChoice: { auto: {}, any: {} } } },
      'toolConfig.toolChoice',
    ],
    ['requestMetadata with a number value', { requestMetadata: { team: 7 } }, 'requestMetadata.team'],
    ['a bad performanceConfig latency', { performanceConfig: { latency: 'fast' } }, 'performanceConfig.latency'],
    ['too many additionalModelResponseFieldPaths', { additionalModelResponseFieldPaths: Array.from({ length: 11 }, (_, i) => `/p${i}`) }, 'additionalModelResponseFieldPaths'],
    ['a body that is an array', [], 'body'],
    ['a body that is null', null, 'body'],
  ];
  for (const [label, body, path] of cases) {
    it(`${label} -> ValidationException naming ${path}`, () => {
      // Act
      const error = thrownBedrockError(() => parseWith(ConverseRequest, body));
      // Assess
      expect(error.exception).to.equal('ValidationException');
      expect(error.status).to.equal(400);
      expect(error.message).to.match(new RegExp(`(^|[ ;])${escapeRegExp(path)}: `));
    });
  }

  it('counts every issue but lists at most five', () => {
    // Prepare
    const body = userText(Array.from({ length: 7 }, () => ({ text: 1 })));
    // Act
    const error = thrownBedrockError(() => parseWith(ConverseRequest, body));
    // Assess
    expect(error.message).to.match(/^7 validation errors detected: /);
    expect(error.message.split('; ')).to.have.length(5);
  });

  it('uses the singular for one issue', () => {
    // Act
    const error = thrownBedrockError(() => parseWith(z.object({ a: z.string() }), { a: 1 }));
    // Assess
    expect(error.message).to.match(/^1 validation error detected: a: /);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
