/**
 * Boundary validation: parse untrusted JSON with a zod schema, turning every problem
 * into a 400 ValidationException whose message names the offending field.
 */
import { isUtf8 } from 'node:buffer';
import * as z from './zod.ts';
import type { RequestBody } from '../core/body.ts';
import { validation } from '../core/errors.ts';

/**
 * A body parsed as JSON, or which of the two checks it failed (callers word the 400). Bytes are
 * decoded here, once; text a platform already decoded is parsed as it is.
 */
export function jsonFromBody(body: RequestBody): { readonly value: unknown } | { readonly problem: 'utf8' | 'json' } {
  if (typeof body !== 'string' && !isUtf8(body)) return { problem: 'utf8' };
  try {
    return { value: JSON.parse(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) };
  } catch {
    return { problem: 'json' };
  }
}

/** Parses a request body as JSON. Empty bodies become `{}` (Bedrock treats every Converse member as optional). */
export function parseJsonBody(body: RequestBody): unknown {
  if (body.length === 0) return {};
  const decoded = jsonFromBody(body);
  if ('value' in decoded) return decoded.value;
  throw validation(decoded.problem === 'utf8' ? 'The request body is not valid UTF-8.' : 'The request body is not valid JSON.');
}

/** `messages.0.content.1.text` style path, as Bedrock-ish `messages[0].content[1].text`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out.length === 0 ? String(key) : `.${String(key)}`;
  }
  return out.length === 0 ? 'body' : out;
}

export function parseWith<S extends z.core.$ZodType>(schema: S, value: unknown): z.output<S> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5);
  const detail = issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ');
  const count = result.error.issues.length;
  throw validation(`${count} validation error${count === 1 ? '' : 's'} detected: ${detail}`);
}
