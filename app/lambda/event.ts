/**
 * API Gateway REST (payload v1) and Function URL (payload v2) events -> GatewayRequest.
 * A REST event behind a custom domain can also carry `rawPath`, so v2 is recognised by
 * `rawPath` together with `requestContext.http` (as Hono's adapter does).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { EMPTY_BODY, type RequestBody } from '../core/body.ts';
import { parseQueryString, type GatewayRequest } from '../core/request.ts';

export type LambdaHttpEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

export function isV2Event(event: LambdaHttpEvent): event is APIGatewayProxyEventV2 {
  return Object.hasOwn(event, 'rawPath') && Object.hasOwn(event.requestContext ?? {}, 'http');
}

function lowerCaseHeaders(headers: Record<string, string | undefined> | null | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (!headers) return out;
  for (const name of Object.keys(headers)) out[name.toLowerCase()] = headers[name];
  return out;
}

/** A base64 body becomes bytes; a plain one stays the text the platform already decoded (parsed as it is, never re-encoded). */
function eventBody(body: string | null | undefined, isBase64Encoded: boolean): RequestBody {
  if (!body) return EMPTY_BODY;
  return isBase64Encoded ? Buffer.from(body, 'base64') : body;
}

export function toGatewayRequest(event: LambdaHttpEvent, signal?: AbortSignal): GatewayRequest {
  if (isV2Event(event)) {
    return {
      method: event.requestContext.http.method.toUpperCase(),
      path: event.rawPath,
      query: parseQueryString(event.rawQueryString ?? ''),
      headers: lowerCaseHeaders(event.headers),
      body: eventBody(event.body, event.isBase64Encoded),
      requestId: event.requestContext.requestId,
      signal,
    };
  }
  // First value wins, as for Function URL events (queryStringParameters holds the last one).
  const query: Record<string, string> = {};
  for (const [key, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) if (values?.[0] !== undefined) query[key] = values[0];
  for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined && !(key in query)) query[key] = value;
  return {
    method: event.httpMethod.toUpperCase(),
    path: event.path,
    query,
    headers: lowerCaseHeaders(event.headers),
    body: eventBody(event.body, event.isBase64Encoded),
    requestId: event.requestContext?.requestId,
    signal,
  };
}
