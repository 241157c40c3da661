/**
 * Maps a raw request path to one operation, on Bedrock's own paths.
 * Any base-path prefix (an API Gateway stage such as `/prod`) is accepted, and the
 * model id may arrive percent-encoded (JS SDK, botocore) or raw (Vercel, curl).
 */
import { BedrockError, validation } from './errors.ts';

export type Route =
  | { readonly op: 'Converse'; readonly modelId: string }
  | { readonly op: 'ConverseStream'; readonly modelId: string }
  | { readonly op: 'InvokeModel'; readonly modelId: string }
  | { readonly op: 'InvokeModelWithResponseStream'; readonly modelId: string }
  | { readonly op: 'CountTokens'; readonly modelId: string }
  | { readonly op: 'ListFoundationModels' }
  | { readonly op: 'GetFoundationModel'; readonly modelId: string }
  | { readonly op: 'Health' };

export type OperationName = Route['op'];

const MODEL_ACTIONS = {
  converse: 'Converse',
  'converse-stream': 'ConverseStream',
  invoke: 'InvokeModel',
  'invoke-with-response-stream': 'InvokeModelWithResponseStream',
  'count-tokens': 'CountTokens',
} as const satisfies Record<string, OperationName>;

// `(?:/[^/]+)*?` is the optional base path; the model id may itself contain raw slashes (ARNs).
const MODEL_ROUTE = /^(?:\/[^/]+)*?\/model\/(.+)\/(converse|converse-stream|invoke|invoke-with-response-stream|count-tokens)\/?$/;
const FOUNDATION_MODELS = /^(?:\/[^/]+)*?\/foundation-models(?:\/(.+?))?\/?$/;
const HEALTH = /^(?:\/[^/]+)*?\/health\/?$/;

function decodeModelId(raw: string): string {
  try {
    const decoded = decodeURIComponent(raw);
    if (decoded.length === 0 || decoded.length > 2048) throw new Error('length');
    return decoded;
  } catch {
    throw validation('The modelId in the path is not a valid percent-encoded model identifier.');
  }
}

function methodNotAllowed(method: string, allowed: string, path: string): BedrockError {
  return new BedrockError('ValidationException', `Method ${method} is not allowed on ${path}; use ${allowed}.`, {}, 405);
}

/** Resolves a route or throws a Bedrock-shaped error (404 unknown path, 405 wrong method). */
export function route(method: string, rawPath: string): Route {
  const model = MODEL_ROUTE.exec(rawPath);
  if (model) {
    const action = model[2] as keyof typeof MODEL_ACTIONS;
    if (method !== 'POST') throw methodNotAllowed(method, 'POST', `/model/{modelId}/${action}`);
    return { op: MODEL_ACTIONS[action], modelId: decodeModelId(model[1] as string) };
  }
  const foundation = FOUNDATION_MODELS.exec(rawPath);
  if (foundation) {
    if (method !== 'GET') throw methodNotAllowed(method, 'GET', '/foundation-models');
    const id = foundation[1];
    return id === undefined ? { op: 'ListFoundationModels' } : { op: 'GetFoundationModel', modelId: decodeModelId(id) };
  }
  if (HEALTH.test(rawPath)) {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, 'GET', '/health');
    return { op: 'Health' };
  }
  throw new BedrockError('ResourceNotFoundException', `No Bedrock operation is served at ${method} ${truncate(rawPath)}.`);
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
