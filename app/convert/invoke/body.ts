/**
 * The InvokeModel body as the families read it: a JSON object. InvokeModel sends it raw and
 * CountTokens base64-encodes it in `input.invokeModel.body`; both parse it here, so a bad body
 * gets the same 400 ValidationException wherever it comes in, naming the field it came in.
 * The body is JSON whatever the Content-Type says (JS sends octet-stream, botocore none).
 */
import { validation } from '../../core/errors.ts';
import { jsonFromBody } from '../../schemas/validate.ts';
import type { RequestBody } from '../../core/body.ts';

/** `field` names the body in the caller's request: `body` for InvokeModel, `input.invokeModel.body` for CountTokens. */
export function parseInvokeBody(body: RequestBody, field: string): Record<string, unknown> {
  const decoded = jsonFromBody(body);
  if (!('value' in decoded)) {
    throw validation(
      decoded.problem === 'utf8'
        ? `${field}: the InvokeModel body is not valid UTF-8.`
        : `${field}: the InvokeModel body is not valid JSON (it must be a JSON object).`,
    );
  }
  const parsed = decoded.value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw validation(`${field}: the InvokeModel body must be a JSON object.`);
  }
  return parsed as Record<string, unknown>;
}
