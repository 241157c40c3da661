import { expect } from 'chai';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RequestBody } from '../../../app/core/body.ts';
import type { GatewayRequest } from '../../../app/core/request.ts';
import { isV2Event, toGatewayRequest, type LambdaHttpEvent } from '../../../app/lambda/event.ts';

const BODY = '{"messages":[{"role":"user","content":[{"text":"héllo"}]}]}';

/** An API Gateway REST (payload v1) event, as the stage sends it. */
function restEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    resource: '/model/{modelId}/converse',
    path: '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse',
    httpMethod: 'POST',
    headers: { Host: 'example.execute-api.us-east-1.amazonaws.com', 'Content-Type': 'application/json', Authorization: 'Bearer k' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { modelId: 'anthropic.claude-3-5-sonnet-20240620-v1%3A0' },
    stageVariables: null,
    requestContext: { requestId: 'rest-req-1', stage: 'prod' } as APIGatewayProxyEvent['requestContext'],
    body: BODY,
    isBase64Encoded: false,
    ...overrides,
  };
}

/** A Lambda Function URL (payload v2) event. */
function urlEvent(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse',
    rawQueryString: '',
    headers: { host: 'x.lambda-url.us-east-1.on.aws', 'content-type': 'application/json', authorization: 'Bearer k' },
    requestContext: {
      http: { method: 'POST', path: '/model/anthropic.claude-3-5-sonnet-20240620-v1:0/converse', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'ua' },
      requestId: 'url-req-1',
    } as APIGatewayProxyEventV2['requestContext'],
    body: BODY,
    isBase64Encoded: false,
    ...overrides,
  };
}

/** The body the edge handed over, as text (whichever form it took). */
const text = (body: GatewayRequest['body']) => {
  if (typeof body === 'function') throw new Error('a Lambda body is always whole');
  return typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
};

describe('toGatewayRequest: REST (payload v1)', () => {
  it('maps method, raw path, lower-cased headers, body and request id', () => {
    // Act
    const request = toGatewayRequest(restEvent());
    // Assess
    expect(request.method).to.equal('POST');
    expect(request.path).to.equal('/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse');
    expect(request.headers).to.deep.equal({
      host: 'example.execute-api.us-east-1.amazonaws.com',
      'content-type': 'application/json',
      authorization: 'Bearer k',
    });
    expect(text(request.body)).to.equal(BODY);
    expect(request.requestId).to.equal('rest-req-1');
    expect(request.query).to.deep.equal({});
  });

  it('reads query parameters', () => {
    // Act
    const request = toGatewayRequest(
      restEvent({ httpMethod: 'GET', path: '/foundation-models', body: null, queryStringParameters: { byProvider: 'Anthropic', byOutputModality: 'TEXT' } }),
    );
    // Assess
    expect(request.query).to.deep.equal({ byProvider: 'Anthropic', byOutputModality: 'TEXT' });
    expect(text(request.body)).to.equal('');
  });

  it('takes the first value of a repeated query parameter, as for Function URL events', () => {
    // Prepare: API Gateway puts the last value in queryStringParameters and all of them in the multi-value map
    const event = restEvent({
      httpMethod: 'GET',
      path: '/foundation-models',
      body: null,
      queryStringParameters: { byProvider: 'Other', byInferenceType: 'ON_DEMAND' },
      multiValueQueryStringParameters: { byProvider: ['Meta', 'Other'], byInferenceType: ['ON_DEMAND'] },
    });
    // Act
    const request = toGatewayRequest(event);
    // Assess
    expect(request.query).to.deep.equal({ byProvider: 'Meta', byInferenceType: 'ON_DEMAND' });
  });

  it('upper-cases a lower-case method', () => {
    // Act
    const request = toGatewayRequest(restEvent({ httpMethod: 'post' }));
    // Assess
    expect(request.method).to.equal('POST');
  });

  it('treats a REST event with rawPath but no requestContext.http as v1', () => {
    // Prepare
    const event = { ...restEvent({ path: '/model/x/converse' }), rawPath: '/custom-domain/model/y/converse' } as LambdaHttpEvent;
    // Act
    const request = toGatewayRequest(event);
    // Assess
    expect(isV2Event(event)).to.equal(false);
    expect(request.path).to.equal('/model/x/converse');
    expect(request.method).to.equal('POST');
  });

  it('copes with null headers', () => {
    // Act
    const request = toGatewayRequest(restEvent({ headers: null as unknown as APIGatewayProxyEvent['headers'] }));
    // Assess
    expect(request.headers).to.deep.equal({});
  });
});

describe('toGatewayRequest: Function URL (payload v2)', () => {
  it('maps method, raw path, headers, body and request id', () => {
    // Act
    const request = toGatewayRequest(urlEvent());
    // Assess
    expect(request.method).to.equal('POST');
    expect(request.path).to.equal('/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse');
    expect(request.headers).to.include({ 'content-type': 'application/json', authorization: 'Bearer k' });
    expect(text(request.body)).to.equal(BODY);
    expect(request.requestId).to.equal('url-req-1');
  });

  it('parses and decodes rawQueryString, first value winning', () => {
    // Act
    const request = toGatewayRequest(urlEvent({ rawQueryString: 'byProvider=Meta%20AI&byInferenceType=ON_DEMAND&byProvider=Other' }));
    // Assess
    expect(request.query).to.deep.equal({ byProvider: 'Meta AI', byInferenceType: 'ON_DEMAND' });
  });

  it('lower-cases header names', () => {
    // Act
    const request = toGatewayRequest(urlEvent({ headers: { 'X-Api-Key': 'abc', 'Content-Type': 'application/json' } }));
    // Assess
    expect(request.headers).to.deep.equal({ 'x-api-key': 'abc', 'content-type': 'application/json' });
  });

  it('recognises the event as v2', () => {
    // Assess
    expect(isV2Event(urlEvent())).to.equal(true);
  });
});

describe('toGatewayRequest: bodies', () => {
  const bytes = Uint8Array.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
  const cases: readonly (readonly [string, LambdaHttpEvent, RequestBody])[] = [
    ['a plain v1 body stays the text API Gateway decoded', restEvent(), BODY],
    ['a base64 v1 body becomes bytes', restEvent({ body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true }), bytes],
    ['a plain v2 body stays text', urlEvent(), BODY],
    ['a base64 v2 body becomes bytes', urlEvent({ body: Buffer.from(BODY).toString('base64'), isBase64Encoded: true }), new TextEncoder().encode(BODY)],
    ['a null v1 body is empty', restEvent({ body: null }), new Uint8Array(0)],
    ['a missing v2 body is empty', urlEvent({ body: undefined }), new Uint8Array(0)],
    ['an empty v1 body is empty', restEvent({ body: '' }), new Uint8Array(0)],
  ];
  for (const [label, event, expected] of cases) {
    it(label, () => {
      // Act
      const { body } = toGatewayRequest(event);
      // Assess
      if (typeof expected === 'string') expect(body).to.equal(expected);
      else expect(Buffer.from(body as Uint8Array).equals(Buffer.from(expected))).to.equal(true);
    });
  }
});

describe('toGatewayRequest: signal', () => {
  for (const [label, event] of [
    ['v1', restEvent()],
    ['v2', urlEvent()],
  ] as const) {
    it(`passes the abort signal through (${label})`, () => {
      // Prepare
      const signal = new AbortController().signal;
      // Act
      const request = toGatewayRequest(event, signal);
      // Assess
      expect(request.signal).to.equal(signal);
    });
  }
});
