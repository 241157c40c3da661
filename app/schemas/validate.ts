/**
 * Boundary validation: parse untrusted JSON with a zod schema, turning every problem
 * into a 400 ValidationException whose message names the offending field.
 */
import { isUtf8 } from 'node:buffer';
import * as z from './zod.ts';
import { validation } from '../core/errors.ts';

/** Bytes decoded as UTF-8 JSON, or which of the two checks they failed (callers word the 400). */
export function jsonFromBytes(bytes: Uint8Array): { readonly value: unknown } | { readonly problem: 'utf8' | 'json' } {
  if (!isUtf8(bytes)) return { problem: 'utf8' };
  try {
    return { value: JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) };
  } catch {
    return { problem: 'json' };
  }
}

/** Parses a request body as JSON. Empty bodies become `{}` (Bedrock treats every Converse member as optional). */
export function parseJsonBody(body: Uint8Array): unknown {
  if (body.byteLength === 0) return {};
  const decoded = jsonFromBytes(body);
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
