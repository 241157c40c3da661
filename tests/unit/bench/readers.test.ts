import { expect } from 'chai';
import { hasContent, SseReader } from '../../../bench/lib/sse.ts';

const chunk = (id: number, content: string | null): string =>
  JSON.stringify({ id: `c${id}`, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] });

describe('bench SSE reader', () => {
  it('returns each data payload once its event is complete, across body chunks', () => {
    // Prepare
    const reader = new SseReader();
    const body = `data: ${chunk(1, 'Hi')}\n\ndata: ${chunk(2, '!')}\n\ndata: [DONE]\n\n`;
    const cut = body.indexOf('\n\n') + 5; // the second event split mid-payload

    // Act
    const first = reader.push(Buffer.from(body.slice(0, cut)));
    const rest = reader.push(Buffer.from(body.slice(cut)));

    // Assess
    expect(first).to.deep.equal([chunk(1, 'Hi')]);
    expect(rest).to.deep.equal([chunk(2, '!'), '[DONE]']);
  });

  it('decodes a multi-byte character split across two body chunks', () => {
    // Prepare
    const reader = new SseReader();
    const bytes = Buffer.from(`data: ${chunk(1, 'café ✓')}\n\n`);
    const cut = bytes.indexOf(Buffer.from('✓')) + 1; // inside the three-byte check mark

    // Act
    const first = reader.push(bytes.subarray(0, cut));
    const rest = reader.push(bytes.subarray(cut));

    // Assess
    expect(first).to.deep.equal([]);
    expect(rest).to.deep.equal([chunk(1, 'café ✓')]);
  });

  it('ignores comment and event lines and keeps a trailing partial event for later', () => {
    // Prepare
    const reader = new SseReader();

    // Act
    const events = reader.push(Buffer.from(`: keep-alive\n\nevent: message\ndata: ${chunk(1, 'a')}\n\ndata: {"partial`));
    const later = reader.push(Buffer.from('":1}\n\n'));

    // Assess
    expect(events).to.deep.equal([chunk(1, 'a')]);
    expect(later).to.deep.equal(['{"partial":1}']);
  });
});

describe('bench hasContent (the direct path’s first event)', () => {
  const cases: { name: string; data: string; expected: boolean }[] = [
    { name: 'a chunk with text', data: chunk(1, 'Hi'), expected: true },
    { name: 'the role-only first chunk', data: chunk(1, ''), expected: false },
    { name: 'a null content chunk', data: chunk(1, null), expected: false },
    { name: 'the usage-only last chunk', data: JSON.stringify({ choices: [], usage: { prompt_tokens: 1 } }), expected: false },
    { name: '[DONE]', data: '[DONE]', expected: false },
  ];
  for (const { name, data, expected } of cases) {
    it(`is ${expected} for ${name}`, () => {
      // Act / Assess
      expect(hasContent(data)).to.equal(expected);
    });
  }
});
