/**
 * Boundary validation: parse untrusted JSON with a zod schema, turning every problem
 * into a 400 ValidationException whose message names the offending field.
 */
import { isUtf8 } from 'node:buffer';
import * as z from './zod.ts';
import { validation } from '../core/errors.ts';

/** Parses a request body as JSON. Empty bodies become `{}` (Bedrock treats every Converse member as optional). */
export function parseJsonBody(body: Uint8Array): unknown {
  if (body.byteLength === 0) return {};
  if (!isUtf8(body)) throw validation('The request body is not valid UTF-8.');
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw validation('The request body is not valid JSON.');
  }
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
