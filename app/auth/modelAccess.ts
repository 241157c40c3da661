/**
 * Model allow-lists: a caller's `models` (from its API key entry, its SigV4 credential or its JWT's
 * JWT_MODELS_CLAIM) name the models it may use. An entry matches the model id as sent, any form of
 * it MODEL_MAP would match (an ARN's resource, the id without its inference-profile prefix), or the
 * upstream model it resolves to; `*` matches everything and `prefix*` every id that starts so.
 * No list at all means every model.
 */
import type { Caller } from '../core/caller.ts';
import { modelAccessDenied } from '../core/errors.ts';

function matches(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

/** True when `caller` may use a model known by any of `names`. */
export function mayUseModel(caller: Caller | undefined, names: readonly string[]): boolean {
  const allowed = caller?.allowedModels;
  if (allowed === undefined) return true;
  return allowed.some((pattern) => names.some((name) => matches(pattern, name)));
}

/** Throws Bedrock's AccessDeniedException when `caller` may not use the model. */
export function checkModelAccess(caller: Caller | undefined, names: readonly string[]): void {
  if (!mayUseModel(caller, names)) throw modelAccessDenied();
}
