import { expect } from 'chai';
import { parseInvokeBody } from '../../../../app/convert/invoke/body.ts';
import { thrownBedrockError } from '../../../helpers/bedrockErrors.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('InvokeModel body parsing (InvokeModel and CountTokens)', () => {
  it('returns the JSON object, whatever field name it is given', () => {
    // Prepare
    const body = bytes('{"prompt":"héllo","max_gen_len":5}');

    // Act
    const parsed = parseInvokeBody(body, 'body');

    // Assess
    expect(parsed).to.deep.equal({ prompt: 'héllo', max_gen_len: 5 });
  });

  it('reads only its own bytes of a larger buffer', () => {
    // Prepare: a view into the middle of a buffer, as a Buffer slice of a request body is.
    const whole = Buffer.from('xx{"a":1}yy');
    const view = whole.subarray(2, 9);

    // Act
    const parsed = parseInvokeBody(view, 'body');

    // Assess
    expect(parsed).to.deep.equal({ a: 1 });
  });

  const invalid: { name: string; body: Uint8Array; message: string }[] = [
    { name: 'an empty body', body: bytes(''), message: 'the InvokeModel body is not valid JSON (it must be a JSON object).' },
    { name: 'malformed JSON', body: bytes('{"prompt":'), message: 'the InvokeModel body is not valid JSON (it must be a JSON object).' },
    { name: 'invalid UTF-8', body: Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), message: 'the InvokeModel body is not valid UTF-8.' },
    { name: 'a JSON array', body: bytes('[1,2]'), message: 'the InvokeModel body must be a JSON object.' },
    { name: 'JSON null', body: bytes('null'), message: 'the InvokeModel body must be a JSON object.' },
    { name: 'a JSON string', body: bytes('"hi"'), message: 'the InvokeModel body must be a JSON object.' },
  ];
  for (const field of ['body', 'input.invokeModel.body']) {
    for (const { name, body, message } of invalid) {
      it(`rejects ${name} with a 400 ValidationException naming ${field}`, () => {
        // Prepare / Act
        const error = thrownBedrockError(() => parseInvokeBody(body, field));

        // Assess
        expect(error.exception).to.equal('ValidationException');
        expect(error.status).to.equal(400);
        expect(error.message).to.equal(`${field}: ${message}`);
      });
    }
  }
});
